"""The relay benchmark: Open Chat's server against direct calls to the OpenRouter simulator.

Run it with `python -m bench` (see bench/README.md). One job per module:
plan (what a run measures), processes (spawn and stop servers), procstat (CPU
and memory from /proc), client and sse (the lean HTTP/1.1 + SSE client),
answers (one answer as the client sees it), loads (what a client process does),
worker and clients (the client processes, from inside and from outside),
phases (each measurement), seed (the large database), figures (raw readings
into figures), targets and report (the goals, the table and the JSON).
"""
