"""The rows of the simulated model catalogue, one line per model; catalog.py turns them into
OpenRouter model objects. Names, context lengths and prices are plausible, not authoritative.
"""

# author: (display name, provider that serves it, tokenizer, Hugging Face organisation or "")
AUTHORS: dict[str, tuple[str, str, str, str]] = {
    "openai": ("OpenAI", "OpenAI", "GPT", ""),
    "anthropic": ("Anthropic", "Anthropic", "Claude", ""),
    "google": ("Google", "Google AI Studio", "Gemini", "google"),
    "meta-llama": ("Meta", "DeepInfra", "Llama3", "meta-llama"),
    "mistralai": ("Mistral", "Mistral", "Mistral", "mistralai"),
    "deepseek": ("DeepSeek", "DeepSeek", "DeepSeek", "deepseek-ai"),
    "qwen": ("Qwen", "Alibaba", "Qwen", "Qwen"),
    "x-ai": ("xAI", "xAI", "Grok", ""),
    "cohere": ("Cohere", "Cohere", "Cohere", ""),
    "microsoft": ("Microsoft", "Azure", "Other", "microsoft"),
    "nvidia": ("NVIDIA", "Nebius", "Llama3", "nvidia"),
    "amazon": ("Amazon", "Amazon Bedrock", "Nova", ""),
    "perplexity": ("Perplexity", "Perplexity", "Other", ""),
    "ai21": ("AI21", "AI21", "Other", "ai21labs"),
    "moonshotai": ("MoonshotAI", "Moonshot AI", "Other", "moonshotai"),
    "z-ai": ("Z.AI", "Z.AI", "Other", "zai-org"),
    "minimax": ("MiniMax", "Minimax", "Other", "MiniMaxAI"),
    "nousresearch": ("Nous", "Lambda", "Llama3", "NousResearch"),
    "liquid": ("Liquid", "Liquid", "Other", ""),
    "inflection": ("Inflection", "Inflection", "Other", ""),
    "thedrummer": ("TheDrummer", "Parasail", "Mistral", "TheDrummer"),
    "sao10k": ("Sao10K", "Infermatic", "Llama3", "Sao10K"),
    "gryphe": ("MythoMax", "Together", "Llama2", "Gryphe"),
    "cognitivecomputations": ("Dolphin", "Chutes", "Mistral", "cognitivecomputations"),
    "baidu": ("Baidu", "Novita", "Other", "baidu"),
    "tencent": ("Tencent", "Chutes", "Other", "tencent"),
    "bytedance": ("ByteDance", "Chutes", "Other", "ByteDance-Seed"),
    "arcee-ai": ("Arcee AI", "Together", "Other", "arcee-ai"),
    "inception": ("Inception", "Inception", "Other", ""),
    "allenai": ("AllenAI", "Parasail", "Other", "allenai"),
    "ibm-granite": ("IBM", "Cloudflare", "Other", "ibm-granite"),
    "alpindale": ("Goliath", "Mancer", "Llama2", "alpindale"),
    "neversleep": ("NeverSleep", "Mancer", "Llama3", "NeverSleep"),
    "anthracite-org": ("Magnum", "Infermatic", "Qwen", "anthracite-org"),
    "mancer": ("Mancer", "Mancer", "Llama2", ""),
    "undi95": ("ReMM", "Mancer", "Llama2", "Undi95"),
    "eleutherai": ("EleutherAI", "Together", "Llama2", "EleutherAI"),
    "morph": ("Morph", "Morph", "Other", ""),
    "stepfun-ai": ("StepFun", "StepFun", "Other", "stepfun-ai"),
    "meituan": ("Meituan", "Chutes", "Other", "meituan-longcat"),
    "shisa-ai": ("Shisa AI", "Chutes", "Llama3", "shisa-ai"),
    "tngtech": ("TNG", "Chutes", "DeepSeek", "tngtech"),
    "agentica-org": ("Agentica", "Together", "Qwen", "agentica-org"),
    "opengvlab": ("OpenGVLab", "Nebius", "Other", "OpenGVLab"),
    "raifle": ("SorcererLM", "Infermatic", "Mistral", "rAIfle"),
    "switchpoint": ("Switchpoint", "Switchpoint", "Router", ""),
    "openrouter": ("OpenRouter", "OpenRouter", "Router", ""),
}

# id | name | context | prompt $/M | completion $/M | flags | added (YYYY-MM-DD)
# flags: r reasoning, v image input, t tools, f also listed as a ":free" variant.
# "-1" prices mark a router whose price is decided per request.
ROWS = """
openai/gpt-5-codex | GPT-5 Codex | 400000 | 1.25 | 10 | rvt | 2025-09-23
openai/gpt-5 | GPT-5 | 400000 | 1.25 | 10 | rvt | 2025-08-07
openai/gpt-5-mini | GPT-5 Mini | 400000 | 0.25 | 2 | rvt | 2025-08-07
openai/gpt-5-nano | GPT-5 Nano | 400000 | 0.05 | 0.4 | rvt | 2025-08-07
openai/gpt-5-chat | GPT-5 Chat | 128000 | 1.25 | 10 | v | 2025-08-07
openai/gpt-oss-120b | gpt-oss-120b | 131072 | 0.05 | 0.25 | rtf | 2025-08-05
openai/gpt-oss-20b | gpt-oss-20b | 131072 | 0.03 | 0.15 | rtf | 2025-08-05
openai/o3-pro | o3 Pro | 200000 | 20 | 80 | rvt | 2025-06-10
openai/codex-mini | Codex Mini | 200000 | 1.5 | 6 | rvt | 2025-05-16
openai/o3 | o3 | 200000 | 2 | 8 | rvt | 2025-04-16
openai/o4-mini | o4 Mini | 200000 | 1.1 | 4.4 | rvt | 2025-04-16
openai/o4-mini-high | o4 Mini High | 200000 | 1.1 | 4.4 | rvt | 2025-04-16
openai/gpt-4.1 | GPT-4.1 | 1047576 | 2 | 8 | vt | 2025-04-14
openai/gpt-4.1-mini | GPT-4.1 Mini | 1047576 | 0.4 | 1.6 | vt | 2025-04-14
openai/gpt-4.1-nano | GPT-4.1 Nano | 1047576 | 0.1 | 0.4 | vt | 2025-04-14
openai/o1-pro | o1-pro | 200000 | 150 | 600 | rv | 2025-03-19
openai/gpt-4o-search-preview | GPT-4o Search Preview | 128000 | 2.5 | 10 | | 2025-03-12
openai/gpt-4o-mini-search-preview | GPT-4o-mini Search Preview | 128000 | 0.15 | 0.6 | | 2025-03-12
openai/o3-mini-high | o3 Mini High | 200000 | 1.1 | 4.4 | rt | 2025-02-12
openai/o3-mini | o3 Mini | 200000 | 1.1 | 4.4 | rt | 2025-01-31
openai/o1 | o1 | 200000 | 15 | 60 | rvt | 2024-12-17
openai/gpt-4o-2024-11-20 | GPT-4o (2024-11-20) | 128000 | 2.5 | 10 | vt | 2024-11-20
openai/o1-mini | o1-mini | 128000 | 1.1 | 4.4 | r | 2024-09-12
openai/chatgpt-4o-latest | ChatGPT-4o | 128000 | 5 | 15 | v | 2024-08-14
openai/gpt-4o-2024-08-06 | GPT-4o (2024-08-06) | 128000 | 2.5 | 10 | vt | 2024-08-06
openai/gpt-4o-mini-2024-07-18 | GPT-4o-mini (2024-07-18) | 128000 | 0.15 | 0.6 | vt | 2024-07-18
openai/gpt-4o-mini | GPT-4o-mini | 128000 | 0.15 | 0.6 | vt | 2024-07-18
openai/gpt-4o | GPT-4o | 128000 | 2.5 | 10 | vt | 2024-05-13
openai/gpt-4o:extended | GPT-4o (extended) | 128000 | 6 | 18 | vt | 2024-05-13
openai/gpt-4o-2024-05-13 | GPT-4o (2024-05-13) | 128000 | 5 | 15 | vt | 2024-05-13
openai/gpt-4-turbo | GPT-4 Turbo | 128000 | 10 | 30 | vt | 2024-04-09
openai/gpt-4-turbo-preview | GPT-4 Turbo Preview | 128000 | 10 | 30 | t | 2024-01-25
openai/gpt-3.5-turbo-0613 | GPT-3.5 Turbo (older v0613) | 4095 | 1 | 2 | t | 2024-01-25
openai/gpt-3.5-turbo | GPT-3.5 Turbo | 16385 | 0.5 | 1.5 | t | 2023-05-28
openai/gpt-4 | GPT-4 | 8191 | 30 | 60 | t | 2023-05-28
anthropic/claude-opus-4.5 | Claude Opus 4.5 | 200000 | 5 | 25 | rvt | 2025-11-24
anthropic/claude-haiku-4.5 | Claude Haiku 4.5 | 200000 | 1 | 5 | rvt | 2025-10-15
anthropic/claude-sonnet-4.5 | Claude Sonnet 4.5 | 1000000 | 3 | 15 | rvt | 2025-09-29
anthropic/claude-opus-4.1 | Claude Opus 4.1 | 200000 | 15 | 75 | rvt | 2025-08-05
anthropic/claude-opus-4 | Claude Opus 4 | 200000 | 15 | 75 | rvt | 2025-05-22
anthropic/claude-sonnet-4 | Claude Sonnet 4 | 1000000 | 3 | 15 | rvt | 2025-05-22
anthropic/claude-3.7-sonnet | Claude 3.7 Sonnet | 200000 | 3 | 15 | rvt | 2025-02-24
anthropic/claude-3.7-sonnet:thinking | Claude 3.7 Sonnet (thinking) | 200000 | 3 | 15 | rvt | 2025-02-24
anthropic/claude-3.5-haiku | Claude 3.5 Haiku | 200000 | 0.8 | 4 | vt | 2024-11-04
anthropic/claude-3.5-haiku-20241022 | Claude 3.5 Haiku (2024-10-22) | 200000 | 0.8 | 4 | vt | 2024-11-04
anthropic/claude-3.5-sonnet | Claude 3.5 Sonnet | 200000 | 3 | 15 | vt | 2024-10-22
anthropic/claude-3.5-sonnet-20240620 | Claude 3.5 Sonnet (2024-06-20) | 200000 | 3 | 15 | vt | 2024-06-20
anthropic/claude-3-haiku | Claude 3 Haiku | 200000 | 0.25 | 1.25 | vt | 2024-03-13
anthropic/claude-3-opus | Claude 3 Opus | 200000 | 15 | 75 | vt | 2024-03-05
google/gemini-3-pro-preview | Gemini 3 Pro Preview | 1048576 | 2 | 12 | rvt | 2025-11-18
google/gemini-2.5-flash-preview-09-2025 | Gemini 2.5 Flash Preview 09-2025 | 1048576 | 0.3 | 2.5 | rvt | 2025-09-25
google/gemini-2.5-flash-lite-preview-09-2025 | Gemini 2.5 Flash Lite Preview 09-2025 | 1048576 | 0.1 | 0.4 | rvt | 2025-09-25
google/gemini-2.5-flash-lite | Gemini 2.5 Flash Lite | 1048576 | 0.1 | 0.4 | rvt | 2025-07-22
google/gemini-2.5-flash | Gemini 2.5 Flash | 1048576 | 0.3 | 2.5 | rvt | 2025-06-17
google/gemini-2.5-pro | Gemini 2.5 Pro | 1048576 | 1.25 | 10 | rvt | 2025-06-17
google/gemini-2.5-pro-preview | Gemini 2.5 Pro Preview 06-05 | 1048576 | 1.25 | 10 | rvt | 2025-06-05
google/gemma-3n-e4b-it | Gemma 3n 4B | 32768 | 0.02 | 0.04 | f | 2025-05-20
google/gemma-3n-e2b-it | Gemma 3n 2B | 8192 | 0.01 | 0.02 | f | 2025-07-09
google/gemma-3-27b-it | Gemma 3 27B | 131072 | 0.09 | 0.16 | vf | 2025-03-12
google/gemma-3-12b-it | Gemma 3 12B | 131072 | 0.05 | 0.1 | vf | 2025-03-13
google/gemma-3-4b-it | Gemma 3 4B | 131072 | 0.02 | 0.04 | vf | 2025-03-13
google/gemini-2.0-flash-lite-001 | Gemini 2.0 Flash Lite | 1048576 | 0.075 | 0.3 | vt | 2025-02-25
google/gemini-2.0-flash-001 | Gemini 2.0 Flash | 1048576 | 0.1 | 0.4 | vt | 2025-02-05
google/gemini-2.0-flash-exp:free | Gemini 2.0 Flash Experimental (free) | 1048576 | 0 | 0 | vt | 2024-12-11
google/gemini-flash-1.5-8b | Gemini 1.5 Flash 8B | 1000000 | 0.0375 | 0.15 | vt | 2024-10-03
google/gemma-2-27b-it | Gemma 2 27B | 8192 | 0.65 | 0.65 | | 2024-07-13
google/gemma-2-9b-it | Gemma 2 9B | 8192 | 0.01 | 0.03 | f | 2024-06-28
google/gemini-flash-1.5 | Gemini 1.5 Flash | 1000000 | 0.075 | 0.3 | vt | 2024-05-14
google/gemini-pro-1.5 | Gemini 1.5 Pro | 2000000 | 1.25 | 5 | vt | 2024-04-09
meta-llama/llama-guard-4-12b | Llama Guard 4 12B | 163840 | 0.18 | 0.18 | v | 2025-04-30
meta-llama/llama-4-maverick | Llama 4 Maverick | 1048576 | 0.15 | 0.6 | vtf | 2025-04-05
meta-llama/llama-4-scout | Llama 4 Scout | 327680 | 0.08 | 0.3 | vtf | 2025-04-05
meta-llama/llama-guard-3-8b | Llama Guard 3 8B | 131072 | 0.02 | 0.06 | | 2025-02-12
meta-llama/llama-3.3-70b-instruct | Llama 3.3 70B Instruct | 131072 | 0.13 | 0.39 | tf | 2024-12-06
meta-llama/llama-3.2-90b-vision-instruct | Llama 3.2 90B Vision Instruct | 131072 | 0.35 | 0.4 | v | 2024-09-25
meta-llama/llama-3.2-11b-vision-instruct | Llama 3.2 11B Vision Instruct | 131072 | 0.049 | 0.049 | vf | 2024-09-25
meta-llama/llama-3.2-3b-instruct | Llama 3.2 3B Instruct | 131072 | 0.003 | 0.006 | tf | 2024-09-25
meta-llama/llama-3.2-1b-instruct | Llama 3.2 1B Instruct | 131072 | 0.005 | 0.01 | | 2024-09-25
meta-llama/llama-3.1-405b | Llama 3.1 405B (base) | 32768 | 2 | 2 | | 2024-08-02
meta-llama/llama-3.1-405b-instruct | Llama 3.1 405B Instruct | 32768 | 0.8 | 0.8 | t | 2024-07-23
meta-llama/llama-3.1-70b-instruct | Llama 3.1 70B Instruct | 131072 | 0.1 | 0.28 | t | 2024-07-23
meta-llama/llama-3.1-8b-instruct | Llama 3.1 8B Instruct | 131072 | 0.015 | 0.02 | tf | 2024-07-23
meta-llama/llama-guard-2-8b | LlamaGuard 2 8B | 8192 | 0.2 | 0.2 | | 2024-05-13
meta-llama/llama-3-70b-instruct | Llama 3 70B Instruct | 8192 | 0.3 | 0.4 | t | 2024-04-18
meta-llama/llama-3-8b-instruct | Llama 3 8B Instruct | 8192 | 0.03 | 0.06 | t | 2024-04-18
mistralai/mistral-medium-3.1 | Mistral Medium 3.1 | 131072 | 0.4 | 2 | vt | 2025-08-13
mistralai/codestral-2508 | Codestral 2508 | 256000 | 0.3 | 0.9 | t | 2025-08-01
mistralai/devstral-medium | Devstral Medium | 131072 | 0.4 | 2 | t | 2025-07-10
mistralai/devstral-small | Devstral Small 1.1 | 128000 | 0.07 | 0.28 | tf | 2025-07-10
mistralai/mistral-small-3.2-24b-instruct | Mistral Small 3.2 24B | 131072 | 0.06 | 0.18 | vtf | 2025-06-20
mistralai/magistral-medium-2506 | Magistral Medium 2506 | 40960 | 2 | 5 | rt | 2025-06-10
mistralai/magistral-small-2506 | Magistral Small 2506 | 40000 | 0.5 | 1.5 | rt | 2025-06-10
mistralai/mistral-medium-3 | Mistral Medium 3 | 131072 | 0.4 | 2 | vt | 2025-05-07
mistralai/mistral-small-3.1-24b-instruct | Mistral Small 3.1 24B | 131072 | 0.05 | 0.1 | vtf | 2025-03-17
mistralai/mistral-saba | Saba | 32768 | 0.2 | 0.6 | t | 2025-02-17
mistralai/mistral-small-24b-instruct-2501 | Mistral Small 3 | 32768 | 0.05 | 0.08 | tf | 2025-01-30
mistralai/codestral-2501 | Codestral 2501 | 262144 | 0.3 | 0.9 | t | 2025-01-14
mistralai/mistral-large-2411 | Mistral Large 2411 | 131072 | 2 | 6 | t | 2024-11-18
mistralai/mistral-large-2407 | Mistral Large 2407 | 131072 | 2 | 6 | t | 2024-11-18
mistralai/pixtral-large-2411 | Pixtral Large 2411 | 131072 | 2 | 6 | vt | 2024-11-18
mistralai/ministral-8b | Ministral 8B | 131072 | 0.1 | 0.1 | t | 2024-10-17
mistralai/ministral-3b | Ministral 3B | 131072 | 0.04 | 0.04 | t | 2024-10-17
mistralai/pixtral-12b | Pixtral 12B | 32768 | 0.1 | 0.1 | vt | 2024-09-10
mistralai/mistral-nemo | Mistral Nemo | 131072 | 0.02 | 0.04 | tf | 2024-07-19
mistralai/codestral-mamba | Codestral Mamba | 256000 | 0.25 | 0.25 | t | 2024-07-19
mistralai/mistral-7b-instruct | Mistral 7B Instruct | 32768 | 0.028 | 0.054 | tf | 2024-05-27
mistralai/mistral-7b-instruct-v0.3 | Mistral 7B Instruct v0.3 | 32768 | 0.028 | 0.054 | t | 2024-05-27
mistralai/mixtral-8x22b-instruct | Mixtral 8x22B Instruct | 65536 | 0.9 | 0.9 | t | 2024-04-17
mistralai/mistral-large | Mistral Large | 128000 | 2 | 6 | t | 2024-02-26
mistralai/mistral-tiny | Mistral Tiny | 32768 | 0.25 | 0.25 | t | 2024-01-10
mistralai/mixtral-8x7b-instruct | Mixtral 8x7B Instruct | 32768 | 0.54 | 0.54 | t | 2023-12-10
deepseek/deepseek-v3.2-exp | DeepSeek V3.2 Exp | 163840 | 0.27 | 0.4 | rt | 2025-09-29
deepseek/deepseek-v3.1-terminus | DeepSeek V3.1 Terminus | 163840 | 0.23 | 0.9 | rt | 2025-09-22
deepseek/deepseek-chat-v3.1 | DeepSeek V3.1 | 163840 | 0.2 | 0.8 | rtf | 2025-08-21
deepseek/deepseek-r1-0528-qwen3-8b | R1 0528 Qwen3 8B | 32768 | 0.02 | 0.1 | rf | 2025-05-29
deepseek/deepseek-r1-0528 | R1 0528 | 163840 | 0.4 | 1.75 | rtf | 2025-05-28
deepseek/deepseek-prover-v2 | DeepSeek Prover V2 | 163840 | 0.5 | 2.18 | | 2025-04-30
deepseek/deepseek-chat-v3-0324 | DeepSeek V3 0324 | 163840 | 0.24 | 0.84 | tf | 2025-03-24
deepseek/deepseek-r1-distill-llama-8b | R1 Distill Llama 8B | 32000 | 0.04 | 0.04 | r | 2025-02-07
deepseek/deepseek-r1-distill-qwen-32b | R1 Distill Qwen 32B | 131072 | 0.27 | 0.27 | r | 2025-01-29
deepseek/deepseek-r1-distill-qwen-14b | R1 Distill Qwen 14B | 64000 | 0.15 | 0.15 | r | 2025-01-29
deepseek/deepseek-r1-distill-llama-70b | R1 Distill Llama 70B | 131072 | 0.03 | 0.13 | rf | 2025-01-23
deepseek/deepseek-r1 | R1 | 163840 | 0.4 | 2 | rtf | 2025-01-20
deepseek/deepseek-chat | DeepSeek V3 | 163840 | 0.3 | 0.85 | t | 2024-12-26
qwen/qwen3-max | Qwen3 Max | 256000 | 1.2 | 6 | t | 2025-09-23
qwen/qwen3-vl-235b-a22b-instruct | Qwen3 VL 235B A22B Instruct | 262144 | 0.3 | 1.2 | vt | 2025-09-23
qwen/qwen3-vl-235b-a22b-thinking | Qwen3 VL 235B A22B Thinking | 262144 | 0.45 | 3.5 | rvt | 2025-09-23
qwen/qwen3-coder-flash | Qwen3 Coder Flash | 128000 | 0.3 | 1.5 | t | 2025-09-17
qwen/qwen3-next-80b-a3b-thinking | Qwen3 Next 80B A3B Thinking | 262144 | 0.15 | 1.2 | rt | 2025-09-11
qwen/qwen3-next-80b-a3b-instruct | Qwen3 Next 80B A3B Instruct | 262144 | 0.1 | 0.8 | t | 2025-09-11
qwen/qwen-plus-2025-07-28 | Qwen Plus 0728 | 1000000 | 0.4 | 1.2 | t | 2025-09-08
qwen/qwen3-30b-a3b-thinking-2507 | Qwen3 30B A3B Thinking 2507 | 262144 | 0.08 | 0.29 | rt | 2025-08-28
qwen/qwen3-30b-a3b-instruct-2507 | Qwen3 30B A3B Instruct 2507 | 262144 | 0.08 | 0.33 | t | 2025-07-29
qwen/qwen3-235b-a22b-thinking-2507 | Qwen3 235B A22B Thinking 2507 | 262144 | 0.11 | 0.6 | rt | 2025-07-25
qwen/qwen3-coder | Qwen3 Coder 480B A35B | 262144 | 0.22 | 0.95 | tf | 2025-07-23
qwen/qwen3-235b-a22b-2507 | Qwen3 235B A22B Instruct 2507 | 262144 | 0.08 | 0.55 | t | 2025-07-21
qwen/qwen3-4b | Qwen3 4B | 40960 | 0.02 | 0.08 | rf | 2025-04-30
qwen/qwen3-235b-a22b | Qwen3 235B A22B | 40960 | 0.18 | 0.54 | rtf | 2025-04-28
qwen/qwen3-32b | Qwen3 32B | 40960 | 0.05 | 0.2 | rt | 2025-04-28
qwen/qwen3-30b-a3b | Qwen3 30B A3B | 40960 | 0.06 | 0.22 | rtf | 2025-04-28
qwen/qwen3-14b | Qwen3 14B | 40960 | 0.05 | 0.22 | rtf | 2025-04-28
qwen/qwen3-8b | Qwen3 8B | 128000 | 0.035 | 0.138 | rtf | 2025-04-28
qwen/qwen2.5-vl-32b-instruct | Qwen2.5 VL 32B Instruct | 16384 | 0.05 | 0.22 | vf | 2025-03-24
qwen/qwq-32b | QwQ 32B | 131072 | 0.15 | 0.4 | rtf | 2025-03-05
qwen/qwen-vl-plus | Qwen VL Plus | 7500 | 0.21 | 0.63 | v | 2025-02-05
qwen/qwen2.5-vl-72b-instruct | Qwen2.5 VL 72B Instruct | 32000 | 0.08 | 0.33 | vf | 2025-02-01
qwen/qwen-max | Qwen-Max | 32768 | 1.6 | 6.4 | t | 2025-02-01
qwen/qwen-plus | Qwen-Plus | 131072 | 0.4 | 1.2 | t | 2025-02-01
qwen/qwen-turbo | Qwen-Turbo | 1000000 | 0.05 | 0.2 | t | 2025-02-01
qwen/qwen-vl-max | Qwen VL Max | 7500 | 0.8 | 3.2 | v | 2025-02-01
qwen/qwen-2.5-coder-32b-instruct | Qwen2.5 Coder 32B Instruct | 32768 | 0.04 | 0.16 | tf | 2024-11-11
qwen/qwen-2.5-7b-instruct | Qwen2.5 7B Instruct | 32768 | 0.04 | 0.1 | t | 2024-10-16
qwen/qwen-2.5-72b-instruct | Qwen2.5 72B Instruct | 32768 | 0.07 | 0.26 | tf | 2024-09-19
qwen/qwen-2.5-vl-7b-instruct | Qwen2.5-VL 7B Instruct | 32768 | 0.2 | 0.2 | v | 2024-08-28
x-ai/grok-4.1-fast | Grok 4.1 Fast | 2000000 | 0.2 | 0.5 | rvt | 2025-11-19
x-ai/grok-4-fast | Grok 4 Fast | 2000000 | 0.2 | 0.5 | rvt | 2025-09-19
x-ai/grok-code-fast-1 | Grok Code Fast 1 | 256000 | 0.2 | 1.5 | rt | 2025-08-26
x-ai/grok-4 | Grok 4 | 256000 | 3 | 15 | rvt | 2025-07-09
x-ai/grok-3-mini | Grok 3 Mini | 131072 | 0.3 | 0.5 | rt | 2025-06-10
x-ai/grok-3 | Grok 3 | 131072 | 3 | 15 | t | 2025-06-10
x-ai/grok-3-mini-beta | Grok 3 Mini Beta | 131072 | 0.3 | 0.5 | rt | 2025-04-09
x-ai/grok-3-beta | Grok 3 Beta | 131072 | 3 | 15 | t | 2025-04-09
x-ai/grok-2-vision-1212 | Grok 2 Vision 1212 | 32768 | 2 | 10 | v | 2024-12-15
x-ai/grok-2-1212 | Grok 2 1212 | 131072 | 2 | 10 | t | 2024-12-15
x-ai/grok-vision-beta | Grok Vision Beta | 8192 | 5 | 15 | v | 2024-11-19
cohere/command-a | Command A | 256000 | 2.5 | 10 | t | 2025-03-13
cohere/command-r7b-12-2024 | Command R7B (12-2024) | 128000 | 0.0375 | 0.15 | t | 2024-12-14
cohere/command-r-plus-08-2024 | Command R+ (08-2024) | 128000 | 2.5 | 10 | t | 2024-08-30
cohere/command-r-08-2024 | Command R (08-2024) | 128000 | 0.15 | 0.6 | t | 2024-08-30
cohere/command-r-plus | Command R+ | 128000 | 3 | 15 | t | 2024-04-04
cohere/command-r | Command R | 128000 | 0.5 | 1.5 | t | 2024-03-14
cohere/command | Command | 4096 | 1 | 2 | | 2024-03-14
microsoft/phi-4-reasoning-plus | Phi 4 Reasoning Plus | 32768 | 0.07 | 0.35 | r | 2025-05-01
microsoft/mai-ds-r1 | MAI DS R1 | 163840 | 0.3 | 1.2 | rf | 2025-04-20
microsoft/phi-4-multimodal-instruct | Phi 4 Multimodal Instruct | 131072 | 0.05 | 0.1 | v | 2025-03-08
microsoft/phi-4 | Phi 4 | 16384 | 0.06 | 0.14 | | 2025-01-10
microsoft/phi-3.5-mini-128k-instruct | Phi-3.5 Mini 128K Instruct | 128000 | 0.1 | 0.1 | t | 2024-08-21
microsoft/phi-3-mini-128k-instruct | Phi-3 Mini 128K Instruct | 128000 | 0.1 | 0.1 | t | 2024-05-26
microsoft/phi-3-medium-128k-instruct | Phi-3 Medium 128K Instruct | 128000 | 1 | 1 | t | 2024-05-24
microsoft/wizardlm-2-8x22b | WizardLM-2 8x22B | 65536 | 0.48 | 0.48 | | 2024-04-16
nvidia/llama-3.3-nemotron-super-49b-v1.5 | Llama 3.3 Nemotron Super 49B v1.5 | 131072 | 0.1 | 0.4 | rt | 2025-10-10
nvidia/nemotron-nano-9b-v2 | Nemotron Nano 9B V2 | 128000 | 0.04 | 0.16 | rtf | 2025-09-05
nvidia/llama-3.1-nemotron-ultra-253b-v1 | Llama 3.1 Nemotron Ultra 253B v1 | 131072 | 0.6 | 1.8 | rf | 2025-04-08
nvidia/llama-3.1-nemotron-70b-instruct | Llama 3.1 Nemotron 70B Instruct | 131072 | 0.6 | 0.6 | t | 2024-10-15
amazon/nova-premier-v1 | Nova Premier 1.0 | 1000000 | 2.5 | 12.5 | vt | 2025-10-31
amazon/nova-pro-v1 | Nova Pro 1.0 | 300000 | 0.8 | 3.2 | vt | 2024-12-05
amazon/nova-lite-v1 | Nova Lite 1.0 | 300000 | 0.06 | 0.24 | vt | 2024-12-05
amazon/nova-micro-v1 | Nova Micro 1.0 | 128000 | 0.035 | 0.14 | t | 2024-12-05
perplexity/sonar-pro-search | Sonar Pro Search | 200000 | 3 | 15 | rv | 2025-10-30
perplexity/sonar-reasoning-pro | Sonar Reasoning Pro | 128000 | 2 | 8 | rv | 2025-03-07
perplexity/sonar-pro | Sonar Pro | 200000 | 3 | 15 | v | 2025-03-07
perplexity/sonar-deep-research | Sonar Deep Research | 128000 | 2 | 8 | r | 2025-03-07
perplexity/r1-1776 | R1 1776 | 128000 | 2 | 8 | r | 2025-02-19
perplexity/sonar-reasoning | Sonar Reasoning | 127000 | 1 | 5 | r | 2025-01-29
perplexity/sonar | Sonar | 127072 | 1 | 1 | v | 2025-01-27
ai21/jamba-large-1.7 | Jamba Large 1.7 | 256000 | 2 | 8 | t | 2025-08-08
ai21/jamba-mini-1.7 | Jamba Mini 1.7 | 256000 | 0.2 | 0.4 | t | 2025-08-08
moonshotai/kimi-k2-thinking | Kimi K2 Thinking | 262144 | 0.6 | 2.5 | rt | 2025-11-06
moonshotai/kimi-k2-0905 | Kimi K2 0905 | 262144 | 0.39 | 1.9 | t | 2025-09-04
moonshotai/kimi-k2 | Kimi K2 0711 | 131072 | 0.14 | 2.49 | tf | 2025-07-11
moonshotai/kimi-dev-72b | Kimi Dev 72B | 131072 | 0.29 | 1.15 | f | 2025-06-16
moonshotai/kimi-vl-a3b-thinking | Kimi VL A3B Thinking | 131072 | 0.02 | 0.07 | rvf | 2025-04-10
z-ai/glm-4.6 | GLM 4.6 | 202752 | 0.4 | 1.75 | rt | 2025-09-30
z-ai/glm-4.5v | GLM 4.5V | 65536 | 0.5 | 1.8 | rvt | 2025-08-11
z-ai/glm-4.5 | GLM 4.5 | 131072 | 0.35 | 1.55 | rt | 2025-07-25
z-ai/glm-4.5-air | GLM 4.5 Air | 131072 | 0.13 | 0.85 | rtf | 2025-07-25
z-ai/glm-4-32b | GLM 4 32B | 128000 | 0.1 | 0.1 | t | 2025-07-24
minimax/minimax-m2 | MiniMax M2 | 204800 | 0.255 | 1.02 | rtf | 2025-10-23
minimax/minimax-m1 | MiniMax M1 | 1000000 | 0.4 | 2.2 | rt | 2025-06-17
minimax/minimax-01 | MiniMax-01 | 1000192 | 0.2 | 1.1 | v | 2025-01-15
nousresearch/hermes-4-405b | Hermes 4 405B | 131072 | 0.3 | 1.2 | rt | 2025-08-26
nousresearch/hermes-4-70b | Hermes 4 70B | 131072 | 0.11 | 0.38 | rt | 2025-08-26
nousresearch/deephermes-3-mistral-24b-preview | DeepHermes 3 Mistral 24B Preview | 32768 | 0.15 | 0.59 | rt | 2025-05-09
nousresearch/deephermes-3-llama-3-8b-preview | DeepHermes 3 Llama 3 8B Preview | 131072 | 0.02 | 0.04 | f | 2025-02-28
nousresearch/hermes-3-llama-3.1-70b | Hermes 3 70B Instruct | 131072 | 0.3 | 0.3 | t | 2024-08-18
nousresearch/hermes-3-llama-3.1-405b | Hermes 3 405B Instruct | 131072 | 1 | 1 | tf | 2024-08-16
nousresearch/hermes-2-pro-llama-3-8b | Hermes 2 Pro - Llama-3 8B | 8192 | 0.025 | 0.08 | | 2024-05-27
liquid/lfm-7b | LFM 7B | 32768 | 0.01 | 0.01 | | 2025-01-25
liquid/lfm-3b | LFM 3B | 32768 | 0.02 | 0.02 | | 2025-01-25
liquid/lfm-40b | LFM 40B MoE | 32768 | 0.15 | 0.15 | | 2024-09-30
inflection/inflection-3-pi | Inflection 3 Pi | 8000 | 2.5 | 10 | | 2024-10-11
inflection/inflection-3-productivity | Inflection 3 Productivity | 8000 | 2.5 | 10 | | 2024-10-11
thedrummer/cydonia-24b-v4.1 | Cydonia 24B V4.1 | 131072 | 0.3 | 0.5 | | 2025-09-27
thedrummer/anubis-70b-v1.1 | Anubis 70B V1.1 | 131072 | 0.4 | 0.7 | | 2025-07-07
thedrummer/skyfall-36b-v2 | Skyfall 36B V2 | 32768 | 0.08 | 0.33 | | 2025-03-11
thedrummer/unslopnemo-12b | UnslopNemo 12B | 32768 | 0.4 | 0.4 | | 2024-11-08
thedrummer/rocinante-12b | Rocinante 12B | 32768 | 0.17 | 0.43 | | 2024-09-30
sao10k/l3.3-euryale-70b | Llama 3.3 Euryale 70B | 131072 | 0.65 | 0.75 | | 2024-12-18
sao10k/l3.1-euryale-70b | Llama 3.1 Euryale 70B v2.2 | 32768 | 0.65 | 0.75 | | 2024-08-28
sao10k/l3-lunaris-8b | Llama 3 8B Lunaris | 8192 | 0.04 | 0.05 | | 2024-08-13
sao10k/l3-euryale-70b | Llama 3 Euryale 70B v2.1 | 8192 | 1.48 | 1.48 | | 2024-06-18
gryphe/mythomax-l2-13b | MythoMax 13B | 4096 | 0.05 | 0.09 | | 2023-07-02
cognitivecomputations/dolphin3.0-r1-mistral-24b | Dolphin3.0 R1 Mistral 24B | 32768 | 0.01 | 0.03 | rf | 2025-02-13
cognitivecomputations/dolphin3.0-mistral-24b | Dolphin3.0 Mistral 24B | 32768 | 0.03 | 0.11 | f | 2025-02-13
cognitivecomputations/dolphin-mixtral-8x22b | Dolphin 2.9.2 Mixtral 8x22B | 16000 | 0.9 | 0.9 | | 2024-06-08
baidu/ernie-4.5-21b-a3b | ERNIE 4.5 21B A3B | 120000 | 0.07 | 0.28 | t | 2025-08-12
baidu/ernie-4.5-vl-424b-a47b | ERNIE 4.5 VL 424B A47B | 123000 | 0.42 | 1.25 | rv | 2025-06-30
baidu/ernie-4.5-300b-a47b | ERNIE 4.5 300B A47B | 123000 | 0.28 | 1.1 | | 2025-06-30
tencent/hunyuan-a13b-instruct | Hunyuan A13B Instruct | 32768 | 0.03 | 0.03 | rf | 2025-07-08
bytedance/seed-oss-36b-instruct | Seed OSS 36B Instruct | 524288 | 0.16 | 0.65 | rt | 2025-08-23
bytedance/ui-tars-1.5-7b | UI-TARS 7B | 128000 | 0.1 | 0.2 | v | 2025-07-22
arcee-ai/afm-4.5b | AFM 4.5B | 65536 | 0.048 | 0.15 | t | 2025-09-16
arcee-ai/maestro-reasoning | Maestro Reasoning | 131072 | 0.9 | 3.3 | r | 2025-05-05
arcee-ai/virtuoso-large | Virtuoso Large | 131072 | 0.75 | 1.2 | t | 2025-05-05
arcee-ai/coder-large | Coder Large | 32768 | 0.5 | 0.8 | | 2025-05-05
arcee-ai/spotlight | Spotlight | 131072 | 0.18 | 0.18 | v | 2025-05-05
inception/mercury | Mercury | 128000 | 0.25 | 1 | t | 2025-06-26
inception/mercury-coder | Mercury Coder | 128000 | 0.25 | 1 | t | 2025-04-30
allenai/olmo-3-7b-think | Olmo 3 7B Think | 65536 | 0.12 | 0.2 | r | 2025-11-20
allenai/molmo-7b-d | Molmo 7B D | 4096 | 0.1 | 0.2 | vf | 2025-03-26
allenai/olmo-2-0325-32b-instruct | Olmo 2 32B Instruct | 4096 | 1 | 1.5 | | 2025-03-14
ibm-granite/granite-4.0-h-micro | Granite 4.0 Micro | 131000 | 0.017 | 0.11 | | 2025-10-20
alpindale/goliath-120b | Goliath 120B | 6144 | 4 | 5.5 | | 2023-11-10
neversleep/llama-3.1-lumimaid-8b | Lumimaid v0.2 8B | 32768 | 0.09 | 0.6 | | 2024-09-15
neversleep/noromaid-20b | Noromaid 20B | 4096 | 1 | 1.75 | | 2023-11-26
anthracite-org/magnum-v4-72b | Magnum v4 72B | 16384 | 2.5 | 3 | | 2024-10-22
anthracite-org/magnum-v2-72b | Magnum v2 72B | 32768 | 3 | 3 | | 2024-09-30
mancer/weaver | Weaver (alpha) | 8000 | 1.125 | 1.125 | | 2023-08-02
undi95/remm-slerp-l2-13b | ReMM SLERP 13B | 6144 | 0.45 | 0.65 | | 2023-07-22
eleutherai/llemma_7b | Llemma 7b | 4096 | 0.8 | 1.2 | | 2025-04-14
morph/morph-v3-large | Morph V3 Large | 81920 | 0.9 | 1.9 | | 2025-07-07
morph/morph-v3-fast | Morph V3 Fast | 81920 | 0.8 | 1.2 | | 2025-07-07
stepfun-ai/step3 | Step3 | 65536 | 0.57 | 1.42 | rvt | 2025-08-28
meituan/longcat-flash-chat | LongCat Flash Chat | 131072 | 0.15 | 0.75 | tf | 2025-09-09
shisa-ai/shisa-v2-llama3.3-70b | Shisa V2 Llama 3.3 70B | 32768 | 0.05 | 0.22 | f | 2025-04-15
tngtech/deepseek-r1t2-chimera | DeepSeek R1T2 Chimera | 163840 | 0.3 | 1.2 | rf | 2025-07-08
tngtech/deepseek-r1t-chimera | DeepSeek R1T Chimera | 163840 | 0.3 | 1.2 | rf | 2025-04-27
agentica-org/deepcoder-14b-preview | Deepcoder 14B Preview | 96000 | 0.015 | 0.015 | rf | 2025-04-13
opengvlab/internvl3-78b | InternVL3 78B | 32768 | 0.07 | 0.26 | v | 2025-09-15
raifle/sorcererlm-8x22b | SorcererLM 8x22B | 16000 | 4.5 | 4.5 | | 2024-11-08
switchpoint/router | Switchpoint Router | 131072 | 0.85 | 3.4 | | 2025-07-11
openrouter/auto | Auto Router | 2000000 | -1 | -1 | v | 2023-11-08
"""
