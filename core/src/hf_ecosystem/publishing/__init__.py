"""Publishing: the publish plan, card generation, the Hub and local-hub targets, the job."""
