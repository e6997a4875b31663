"""Open Chat: a self-hosted chat app for hundreds of AI models through OpenRouter."""
