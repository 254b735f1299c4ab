"""The course's two editions, built from the stored lessons.

``python -m tools.editions student`` (``make student``) writes
``student/NN_*.ipynb``: every lesson as stored, without the cells tagged
``solution``, so a student studying alone tries each exercise before seeing
an answer. ``python -m tools.editions site`` (``make site``) writes a
static website to ``site/``: an index with the lesson map and one page per
lesson rendered from the stored outputs (nothing is re-executed), solutions
folded in ``<details>``, links between lessons, images embedded and MathJax
served from the site itself, so the pages work opened from disk without a
network.

No TensorFlow here: building an edition reads and writes notebooks only.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from pathlib import Path

SOLUTION_TAG = "solution"
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
# MathJax 2.7, shipped by the jupyter-server-mathjax package (a pinned dev dependency),
# with the configuration nbconvert's own MathJax block expects.
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"

__all__ = [
    "SOLUTION_TAG",
    "is_solution",
    "lessons",
    "student_notebook",
    "write_student_edition",
    "build_site",
    "main",
]


def is_solution(cell) -> bool:
    """True for a cell tagged ``solution`` in its metadata."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def lessons(folder) -> list[Path]:
    """The lesson notebooks ``NN_*.ipynb`` in ``folder``, in course order.

    Raises
    ------
    FileNotFoundError
        If ``folder`` holds no lesson.
    """
    found = sorted(Path(folder).glob(LESSON_GLOB))
    if not found:
        raise FileNotFoundError(
            f"no lesson notebooks (NN_*.ipynb) in {folder}: run this from the course's checkout"
        )
    return found


def student_notebook(nb):
    """A copy of a notebook without its solution cells; everything else as stored.

    Parameters
    ----------
    nb : nbformat.NotebookNode

    Returns
    -------
    nbformat.NotebookNode
        ``nb`` is not modified.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("Exercise 1: ..."),
    ...     nbformat.v4.new_code_cell("# Your answer here"),
    ...     nbformat.v4.new_code_cell("answer = 42", metadata={"tags": ["solution"]}),
    ... ])
    >>> [c.source for c in student_notebook(nb).cells]
    ['Exercise 1: ...', '# Your answer here']
    >>> len(nb.cells)
    3
    """
    import copy

    copied = copy.deepcopy(nb)
    copied.cells = [cell for cell in copied.cells if not is_solution(cell)]
    return copied


def write_student_edition(notebooks, out_dir) -> list[Path]:
    """Write the student edition of each notebook into ``out_dir``; return the paths."""
    import nbformat

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        target = out_dir / Path(path).name
        nbformat.write(student_notebook(nb), target)
        written.append(target)
    return written


# --------------------------------------------------------------------------- the website

_TEMPLATE = r"""
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">
// The packaged MathJax carries the STIX-Web fonts only: use them, never look for others.
MathJax.Hub.Config({"HTML-CSS": {availableFonts: ["STIX-Web"], preferredFont: "STIX-Web",
                                 webFont: "STIX-Web", imageFont: null}});
</script>
{{ super() }}
{%- endblock html_head_js_mathjax -%}
{% block extra_css %}
<style type="text/css">
nav.course { font-family: sans-serif; padding: 0.6em 1em; border-bottom: 1px solid #ccc;
             display: flex; gap: 1.5em; }
details.solution { border: 1px solid #bbb; border-radius: 4px; margin: 0.5em 0; }
details.solution > summary { cursor: pointer; padding: 0.3em 0.6em; font-family: sans-serif; }
</style>
{% endblock extra_css %}
{% block body_header %}
{{ super() }}
{{ resources.course_nav }}
{% endblock body_header %}
{% block body_footer %}
{{ resources.course_nav }}
{{ super() }}
{% endblock body_footer %}
{% block any_cell %}
{%- if 'solution' in cell.metadata.get('tags', []) -%}
<details class="solution"><summary>Worked solution (click to open)</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock any_cell %}
"""

_INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>LSTM networks for time series: the lessons</title>
<style type="text/css">
body {{ font-family: sans-serif; max-width: 50em; margin: 2em auto; padding: 0 1em;
       line-height: 1.5; }}
dt {{ font-weight: bold; margin-top: 1em; }}
</style>
</head>
<body>
<h1>LSTM networks for time series</h1>
<p>Lessons that take you from the gate equations of an LSTM cell to tuning, explaining and
serving a forecaster. Each page shows a lesson as stored, with the outputs of one clean run;
the worked solutions are folded: try each exercise first. To run the lessons yourself, clone
the repository and follow its README (<code>make lab</code>).</p>
<dl>
{items}
</dl>
</body>
</html>
"""


def _page_name(path: Path) -> str:
    return Path(path).stem + ".html"


def _title_and_summary(nb) -> tuple[str, str]:
    """The lesson's first heading and the first paragraph after it, as plain text."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.strip().splitlines()
        if not lines or not lines[0].startswith("#"):
            continue
        title = lines[0].lstrip("#").strip()
        paragraph = []
        for line in lines[1:]:
            if not line.strip():
                if paragraph:
                    break
                continue
            paragraph.append(line.strip())
        return title, " ".join(paragraph)
    return "", ""


def _nav(pages: list[str], titles: list[str], i: int) -> str:
    links = ['<a href="index.html">All lessons</a>']
    if i > 0:
        links.append(f'<a href="{pages[i - 1]}">&larr; {html.escape(titles[i - 1])}</a>')
    if i + 1 < len(pages):
        links.append(f'<a href="{pages[i + 1]}">{html.escape(titles[i + 1])} &rarr;</a>')
    return '<nav class="course">' + " ".join(links) + "</nav>"


_LESSON_LINK = re.compile(r'href="(?:\./)?(?:\.\./notebooks/)?(\d\d_[\w-]+)\.ipynb')


def _mathjax_folder() -> Path:
    try:
        import jupyter_server_mathjax
    except ImportError as error:  # pragma: no cover - a dev dependency, installed by make
        raise ImportError(
            "building the site needs MathJax from the jupyter-server-mathjax package: "
            'pip install -c constraints.txt -e ".[dev]"'
        ) from error
    return Path(jupyter_server_mathjax.__file__).parent / "static"


def build_site(notebooks, out_dir) -> list[Path]:
    """Render the lessons as an offline website in ``out_dir``; return the pages written.

    Pages come from the stored outputs; nothing is executed. Links to
    ``NN_*.ipynb`` become links to the matching page.
    """
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    notebooks = [Path(p) for p in notebooks]
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    shutil.copytree(_mathjax_folder(), out_dir / "mathjax")

    nbs = [nbformat.read(path, as_version=4) for path in notebooks]
    pages = [_page_name(path) for path in notebooks]
    titles = [
        _title_and_summary(nb)[0] or path.stem for nb, path in zip(nbs, notebooks, strict=True)
    ]
    exporter = HTMLExporter(
        template_file="course.html.j2",
        extra_loaders=[jinja2.DictLoader({"course.html.j2": _TEMPLATE})],
        mathjax_url=f"mathjax/MathJax.js?config={MATHJAX_CONFIG}",
    )
    written = []
    for i, (nb, page) in enumerate(zip(nbs, pages, strict=True)):
        resources = {"course_nav": _nav(pages, titles, i), "metadata": {"name": titles[i]}}
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        body = _LESSON_LINK.sub(lambda m: f'href="{m.group(1)}.html', body)
        (out_dir / page).write_text(body, encoding="utf-8")
        written.append(out_dir / page)

    items = []
    for nb, page, title in zip(nbs, pages, titles, strict=True):
        summary = _title_and_summary(nb)[1]
        items.append(
            f'<dt><a href="{page}">{html.escape(title)}</a></dt>\n<dd>{html.escape(summary)}</dd>'
        )
    index = out_dir / "index.html"
    index.write_text(_INDEX.format(items="\n".join(items)), encoding="utf-8")
    return [index, *written]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.editions", description=__doc__)
    parser.add_argument("edition", choices=["student", "site"])
    parser.add_argument("--notebooks", default="notebooks", help="folder of the stored lessons")
    parser.add_argument("--out", help="output folder (default: student/ or site/)")
    args = parser.parse_args(argv)
    notebooks = lessons(args.notebooks)
    out = Path(args.out or args.edition)
    if args.edition == "student":
        paths = write_student_edition(notebooks, out)
        print(f"student edition: {len(paths)} notebooks without solutions in {out}/")
    else:
        paths = build_site(notebooks, out)
        print(f"site: {len(paths)} pages in {out}/ (open {out / 'index.html'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
