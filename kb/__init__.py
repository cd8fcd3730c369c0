"""kb: a searchable knowledge base of Chinese government information-disclosure reports."""
