"""Knowledge base: answering questions, the matcher and its calibration, quality checks, insights and drafts."""
