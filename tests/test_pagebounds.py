"""Bounds on what one hostile document can cost the crawl (pages, robots.txt, titles)."""

from lxml import html

from crawler.cleaning import MAX_LINE_CHARS, one_line
from crawler.extract import extract_article
from crawler.pagebounds import MAX_ELEMENTS, cut_to_first_elements
from crawler.robots import MAX_ROBOTS_BYTES, BoundedRobotParser

LEAD = "The Caspian flotilla opened its spring exercise off Aktau on Monday."


def page(paragraphs: int) -> bytes:
    filler = "".join(f"<p>Filler paragraph {n} of a padded page.</p>" for n in range(paragraphs))
    return (
        "<html><head><title>Flotilla exercise</title></head><body><article>"
        f"<h1>Flotilla exercise</h1><p>{LEAD}</p>{filler}</article>"
        "<footer>Outlet footer</footer></body></html>"
    ).encode()


def test_a_tree_is_cut_to_its_first_nodes_in_document_order() -> None:
    tree = html.fromstring(page(50))
    before = [node.tag for node in tree.iter()][:30]
    assert cut_to_first_elements(tree, limit=30) > 30
    assert [node.tag for node in tree.iter()] == before  # the first 30, nothing after
    assert LEAD in tree.text_content() and "Outlet footer" not in tree.text_content()


def test_a_tree_within_the_limit_is_left_whole() -> None:
    tree = html.fromstring(page(50))
    whole = html.tostring(tree)
    assert cut_to_first_elements(tree, limit=1000) < 1000
    assert html.tostring(tree) == whole


def test_a_page_of_sixty_thousand_paragraphs_is_extracted_from_its_first_part() -> None:
    # Whole, this page costs trafilatura about 10 s of CPU (it grows faster than the page).
    extracted = extract_article(page(60_000), "http://padded.test/news/1")
    assert extracted.text is not None and extracted.text.startswith(LEAD)
    assert "Filler paragraph 100 " in extracted.text
    assert f"Filler paragraph {MAX_ELEMENTS} " not in extracted.text
    assert "Filler paragraph 59999 " not in extracted.text


def test_only_the_first_500_kib_of_a_robots_txt_count() -> None:
    padding = "".join(f"Disallow: /archive/{n}/*x*y\n" for n in range(30_000))
    body = f"User-agent: *\nDisallow: /private/\n{padding}Disallow: /late/\n".encode()
    assert len(body) > MAX_ROBOTS_BYTES
    robots = BoundedRobotParser(body, None)
    assert not robots.allowed("http://outlet.test/private/1", "newswatch")
    assert robots.allowed("http://outlet.test/late/1", "newswatch")  # past the limit
    assert robots.allowed("http://outlet.test/news/1", "newswatch")


def test_a_title_or_author_is_one_line_of_at_most_a_thousand_characters() -> None:
    title = one_line("Flotilla\n\texercise " + "off Aktau " * 100_000)
    assert title is not None and len(title) == MAX_LINE_CHARS and title.endswith("…")
    assert title.startswith("Flotilla exercise off Aktau off")
    assert one_line("  Short\ttitle \x00") == "Short title"
