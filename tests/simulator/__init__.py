"""Tests of the OpenRouter simulator, over real sockets."""
