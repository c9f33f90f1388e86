"""The rollout's use cases: office profiles and people, the plan and its delays, knowledge transfer,
partners' domain systems (service.py), their CSV and spreadsheet forms (files.py)."""
