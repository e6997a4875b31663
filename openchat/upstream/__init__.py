"""Everything that knows OpenRouter (or another OpenAI-compatible server) exists."""
