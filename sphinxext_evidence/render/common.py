"""Small node builders shared by the renderers."""

from __future__ import annotations

from docutils import nodes

from sphinxext_evidence.model import Article, Author, plain_title, title_tokens

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"
DOI_URL = "https://doi.org/{}"
PMC_URL = "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/"

_TAG_NODES: dict[str, type[nodes.TextElement]] = {
    "i": nodes.emphasis,
    "b": nodes.strong,
    "sup": nodes.superscript,
    "sub": nodes.subscript,
    "u": nodes.emphasis,
}


def title_nodes(title: str) -> list[nodes.Node]:
    """A stored title as text, emphasis, strong, superscript and subscript nodes."""
    out: list[nodes.Node] = []
    for tag, text in title_tokens(title):
        out.append(_TAG_NODES[tag](text, text) if tag else nodes.Text(text))
    return out


def link(text: str, url: str, classes: list[str] | None = None) -> nodes.reference:
    """An external link."""
    return nodes.reference(text, text, refuri=url, classes=classes or [], internal=False)


def badge(text: str, kind: str) -> nodes.inline:
    """A small labelled badge; the word carries the meaning, the class only the colour."""
    return nodes.inline(text, text, classes=["evidence-badge", f"evidence-badge-{kind}"])


def author_list(authors: tuple[Author, ...], limit: int) -> str:
    """``A, B, C, et al.`` with at most ``limit`` names (all when ``limit`` <= 0)."""
    if not authors:
        return ""
    if 0 < limit < len(authors):
        return ", ".join(a.short for a in authors[:limit]) + ", et al."
    return ", ".join(a.short for a in authors)


def ends_sentence(text: str) -> bool:
    """True when ``text`` already ends with closing punctuation."""
    return text.rstrip().endswith((".", "?", "!"))


def citation_nodes(article: Article, limit: int) -> list[nodes.Node]:
    """The reference text: ``Authors (Year). Title. Journal.`` (books and chapters adapted)."""
    authors = author_list(article.authors, limit)
    lead = " ".join(x for x in (authors, f"({article.year})." if article.year else "") if x)
    out: list[nodes.Node] = [nodes.Text(lead + " ")] if lead else []
    title = title_nodes(article.title)
    out.extend(title)
    out.append(nodes.Text(" " if ends_sentence(plain_title(article.title)) else ". "))
    if article.type == "chapter":
        editors = author_list(article.editors, limit)
        out.append(nodes.Text(f"In: {editors}, editors. " if editors else "In: "))
        out.append(nodes.emphasis(article.container_title, article.container_title))
        out.append(nodes.Text(". " + (_publisher(article) + ". " if article.publisher else "")))
    elif article.type == "book":
        if article.publisher:
            out.append(nodes.Text(_publisher(article) + ". "))
    elif article.journal:
        out.append(nodes.emphasis(article.journal, article.journal))
        out.append(nodes.Text(" " if ends_sentence(article.journal) else ". "))
    return out


def _publisher(article: Article) -> str:
    return f"{article.publisher_place}: {article.publisher}" if article.publisher_place else article.publisher


def identifier_links(article: Article) -> list[nodes.Node]:
    """``PMID 123`` · ``doi:…`` · ``PMC…`` links, separated by middle dots."""
    parts: list[nodes.Node] = []
    if article.pmid:
        parts.append(link(f"PMID {article.pmid}", PUBMED_URL.format(article.pmid), ["evidence-pmid"]))
    if article.doi:
        parts.append(link(f"doi:{article.doi}", DOI_URL.format(article.doi), ["evidence-doi"]))
    if article.pmcid:
        parts.append(link(article.pmcid, PMC_URL.format(article.pmcid), ["evidence-pmc"]))
    if not (article.pmid or article.doi) and article.url:
        parts.append(link(article.url, article.url))
    out: list[nodes.Node] = []
    for i, part in enumerate(parts):
        if i:
            out.append(nodes.Text(" · "))
        out.append(part)
    return out


def label_cells(row: nodes.row, columns: tuple[str, ...]) -> None:
    """Give each cell after the first its column name (HTML), shown only when CSS stacks the table on a phone."""
    for name, entry in zip(columns[1:], row.children[1:]):
        para = next(iter(entry.findall(nodes.paragraph)), None)
        if para is not None:
            para.insert(0, nodes.inline(f"{name}: ", f"{name}: ", classes=["evidence-cell-label"]))
