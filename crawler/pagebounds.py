"""A bound on the work one page can cost.

trafilatura's cost grows faster than the number of elements in a page: 20,000 paragraphs
take 1.5 s, 80,000 take 15 s, 200,000 (4 MB, under the download limit) 84 s, and in the
crawl process that time stops every download. Real article pages are far smaller: the 181
of ../shared/corpus/extraction have 85 to 1,709 elements (median 785). A page with more
than MAX_ELEMENTS is cut to its first MAX_ELEMENTS, in document order, before extraction:
an article's text comes early in its page, and what follows a cut that far down is not
the article a reader came for.
"""

from lxml import etree

MAX_ELEMENTS = 20_000


def cut_to_first_elements(tree: etree._Element, limit: int = MAX_ELEMENTS) -> int:
    """Remove every node after the first `limit` of the tree (document order) in place;
    return how many nodes it had."""
    count = 0
    first_dropped = None
    for node in tree.iter():
        count += 1
        if count == limit + 1:
            first_dropped = node
    if first_dropped is None:
        return count
    # Everything after a node in document order: its own subtree, its following
    # siblings, and the following siblings of each of its ancestors.
    node = first_dropped
    while (parent := node.getparent()) is not None:
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node = parent
    parent = first_dropped.getparent()
    if parent is not None:
        parent.remove(first_dropped)
    return count
