"""What the simulated model says: deterministic prose, a rich markdown sample, an echo of the
prompt, and reasoning text, each cut into word-ish tokens that concatenate back exactly.
"""

import itertools
import re
import zlib
from collections.abc import Iterable

# Leading whitespace rides with the next word; long runs are cut so no token is huge.
_TOKEN = re.compile(r"\s*\S{1,12}|\s+")

_OPENERS = (
    "Sure! Here is a short overview.",
    "Good question. Let me walk through it.",
    "Happy to help with that.",
    "Here is how I would think about it.",
    "Let's break this down step by step.",
    "Great, this is a common topic.",
    "Short answer: it depends, but here are the essentials.",
    "Thanks for asking. A few points stand out.",
)

_PARAGRAPHS = (
    "\n\nThe key idea is to keep each part **small and focused**. When a piece of a system "
    "has one job, it is easier to test, easier to replace, and easier to explain to the next "
    "person who reads it.",
    "\n\nA practical checklist:\n\n- Start from the simplest version that works.\n- Measure "
    "before you optimise.\n- Write down *why* a decision was made, not only what it was.",
    "\n\nIn code, that often looks like this:\n\n```python\ndef total(prices: list[float]) -> "
    "float:\n    return round(sum(prices), 2)\n```\n\nShort functions with clear names tend "
    "to age well.",
    "\n\nThere are trade-offs, of course. Speed, cost and clarity pull in different "
    "directions, and the right balance depends on who uses the result and how often it "
    "changes.",
    "\n\n### A useful rule of thumb\n\nIf you cannot describe a component in one sentence, "
    "it probably does too much. Split it until each part has a sentence of its own.",
    "\n\nFinally, remember that `defaults matter`: most people never change a setting, so "
    "the default should be the safe and sensible choice.",
)

MARKDOWN_SAMPLE = r'''## Simulated answer

Here is a **rich** reply with *every* element a renderer must handle:

1. An ordered item with `inline code`
2. A second item with a [link](https://example.com)
   - a nested bullet with ~~strikethrough~~

| Model | Context | Price ($/M) |
|:------|--------:|------------:|
| alpha | 128k | 0.15 |
| beta | 1M | 2.50 |

```python
def fibonacci(n: int) -> int:
    """Return the n-th Fibonacci number."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
```

Inline math: $e^{i\pi} + 1 = 0$, and a block:

$$
\int_0^1 x^2 \, dx = \frac{1}{3}
$$

> A quote to finish.

'''

_REASONING = (
    "Let me think about what is being asked. The question has a few parts, so I will take "
    "them one at a time. First, what does the person already know? Second, what would a "
    "good answer include? A short overview, an example, and a caveat seem right. I should "
    "keep it concise and use a list where it helps. "
)


def split_tokens(text: str) -> list[str]:
    """Cut text into word-ish tokens whose concatenation is exactly `text`."""
    return _TOKEN.findall(text)


def _take(pieces: Iterable[str], count: int) -> list[str]:
    return list(itertools.islice(itertools.cycle(pieces), count)) if count > 0 else []


class AnswerBook:
    """Every fixed text, tokenised once at start-up; requests slice tokens out of it."""

    def __init__(self) -> None:
        self._openers = [split_tokens(text) for text in _OPENERS]
        paragraphs = [split_tokens(text) for text in _PARAGRAPHS]
        # One flat token list per starting paragraph, so a request only slices.
        self._bodies = [
            [token for paragraph in paragraphs[start:] + paragraphs[:start] for token in paragraph]
            for start in range(len(paragraphs))
        ]
        self._markdown = split_tokens(MARKDOWN_SAMPLE)
        self._reasoning = split_tokens(_REASONING)

    def prose(self, prompt: str, count: int) -> list[str]:
        """`count` tokens of readable prose; the opening depends only on the prompt."""
        # crc32 rather than hash(): the same prompt must give the same answer in every process.
        seed = zlib.crc32(prompt.encode())
        opener = self._openers[seed % len(self._openers)]
        body = self._bodies[seed // len(self._openers) % len(self._bodies)]
        return (opener + _take(body, count))[:count]

    def markdown(self, count: int) -> list[str]:
        """`count` tokens of the markdown sample, starting over when it runs out."""
        return _take(self._markdown, count)

    def reasoning(self, count: int) -> list[str]:
        """`count` tokens of thinking-out-loud text."""
        return _take(self._reasoning, count)
