"""Evaluation: confusion matrix, reports, error analysis, ROUGE/BLEU/chrF, perplexity, the job."""
