"""Images in a completion request, as OpenRouter takes them: content parts with data URLs,
read only by models whose input modalities list images."""

import base64

from tests.images import png

URL = "data:image/png;base64," + base64.b64encode(png()).decode()


def _parts(text: str, *urls: str) -> list[dict[str, object]]:
    images = [{"type": "image_url", "image_url": {"url": url}} for url in urls]
    return [{"type": "text", "text": text}, *images]


def test_a_model_that_reads_images_answers_and_counts_them(chat, sse):
    plain = chat("Describe it [[sim tokens=20]]", stream=False)
    shown = chat(_parts("Describe it [[sim tokens=20]]", URL, URL), stream=False)
    assert shown.status_code == 200
    text = shown.json()["choices"][0]["message"]["content"]
    assert text.startswith("I see 2 images. ")
    extra = shown.json()["usage"]["prompt_tokens"] - plain.json()["usage"]["prompt_tokens"]
    assert extra == 2 * 85, "each image costs the prompt a low-detail tile"
    streamed = chat(_parts("Describe it [[sim tokens=20]]", URL))
    assert sse.content(sse.data(sse.split(streamed.text))).startswith("I see 1 image. ")


def test_a_model_that_reads_no_images_finds_no_provider(chat):
    response = chat(_parts("Describe it", URL), model="openai/gpt-4o-mini-search-preview")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"message": "No endpoints found that support image input", "code": 404}
    }
    assert chat("Describe it", model="openai/gpt-4o-mini-search-preview").status_code == 200


def test_an_image_that_is_no_url_is_a_400(chat):
    for image_url in ({"url": "file:///etc/passwd"}, {"url": 3}, "data:image/png;base64,AA"):
        parts = [{"type": "text", "text": "x"}, {"type": "image_url", "image_url": image_url}]
        response = chat(parts)
        assert response.status_code == 400
        assert "image_url" in response.json()["error"]["message"]
