"""HumanOS Python SDK."""
