"""The course's editions: hidden solutions in the stored lessons, the student
edition without them, and the offline website checked in a real browser.

The student notebooks are executed by `make test-student` (CI runs them on
Python 3.12 and 3.13, see the README); the other tests run in `make test`.
"""

import ast
import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import classroom, editions

ROOT = Path(__file__).resolve().parent.parent
LESSONS = editions.lessons(ROOT / "notebooks")
WITH_EXERCISES = [p for p in LESSONS if not p.name.startswith("00")]


def _read(path):
    return nbformat.read(path, as_version=4)


def _code(cell) -> str:
    """A code cell's source with IPython magics and shell lines blanked, so ast can read it."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines()
    )


def _is_blank_answer(cell) -> bool:
    lines = [line.strip() for line in cell.source.splitlines()]
    return cell.cell_type == "code" and all(not line or line.startswith("#") for line in lines)


def _names(tree, kind):
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, kind)}


def _defined(tree) -> set:
    names = _names(tree, ast.Store)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_every_lesson_has_three_hidden_solutions_each_after_an_empty_answer_cell(path):
    # A worked answer is code (a solution cell after the empty cell a student types in),
    # possibly followed by its discussion in prose, also tagged: every answer is hidden.
    cells = _read(path).cells
    solutions = [i for i, cell in enumerate(cells) if editions.is_solution(cell)]
    code = [i for i in solutions if cells[i].cell_type == "code"]
    assert len(code) >= 3, f"{path.name}: {len(code)} code solution cells, want at least 3"
    for i in solutions:
        cell = cells[i]
        assert cell.cell_type in ("code", "markdown"), f"{path.name} cell {i}: {cell.cell_type}"
        folded = cell.metadata.get("jupyter", {})
        wanted = (
            ("source_hidden", "outputs_hidden") if cell.cell_type == "code" else ("source_hidden",)
        )
        assert all(folded.get(key) is True for key in wanted), (
            f"{path.name} cell {i}: solution not stored collapsed ({', '.join(wanted)}: its "
            "answer would show under the exercise)"
        )
        before = cells[i - 1]
        assert (
            editions.is_solution(before)
            or _is_blank_answer(before)
            or (cell.cell_type == "markdown" and classroom.check_key(before))
        ), (
            f"{path.name} cell {i}: a solution must follow an empty answer cell, another "
            f"solution or (a discussion) its check cell, found {before.source[:60]!r}"
        )


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_no_later_cell_needs_a_name_only_a_solution_defines(path):
    cells = [c for c in _read(path).cells if c.cell_type == "code"]
    outside, only_in_solutions = set(), {}
    for i, cell in enumerate(cells):
        tree = ast.parse(_code(cell))
        if editions.is_solution(cell):
            for name in _defined(tree) - outside:
                only_in_solutions.setdefault(name, i)
            continue
        used = _names(tree, ast.Load) - _defined(tree)
        wrong = sorted(name for name in used if name in only_in_solutions)
        assert not wrong, (
            f"{path.name}: code cell {i} uses {wrong}, defined only in a solution cell "
            f"(code cell {only_in_solutions[wrong[0]]}); a student edition would fail there"
        )
        outside |= _defined(tree)
        for name in _defined(tree):
            only_in_solutions.pop(name, None)


# --------------------------------------------------------------- answers that would leak
# Read as plain JSON, no kernel. What the lessons write, and so what the rules below know:
# - an exercise prompt is a markdown heading "Exercise N" ("### Exercise 2: ...",
#   "### Exercise 4 (open) · ..."), or a paragraph led by a bold "**Exercise N**";
# - a cell that calls itself an answer is a markdown heading naming a solution anywhere in
#   it, or an answer or discussion at its start ("### Solution", "#### Answer to 2",
#   "### Discussion of the solution"); or a paragraph led by such a label, emphasised or
#   followed by a colon or full stop: "**Solution, discussed.**", "**Discussion 1.**",
#   "*Discussion.*", "**Discussion (one defensible answer; ...).**", "Answer: ...";
#   or a code cell whose first comment says "# Solution ..." or "# Answer ...".
#   A prompt's pointer ("*Worked solution: the collapsed cell below the answer cell.*",
#   "*The worked solution is in the hidden cells below*") is not a label: the emphasis
#   holds a sentence, not the label alone, and "worked solution" is never followed by the
#   colon or full stop that ends a label.
# - after a cell tagged solution, every cell up to the next heading or exercise prompt
#   belongs to the answer (its discussion, a second code step); an empty answer cell
#   (comments only) is allowed there.

_PROMPT = re.compile(r"^\s{0,3}(?:#{1,6}\s*|\*\*\s*)Exercise\s+\d+\b", re.I | re.M)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S", re.M)
_LABEL = r"(?:worked\s+|model\s+|suggested\s+)?(?:solution|answer|discussion)s?"
_QUALIFIER = r"(?:\s+\d+|\s+to\s+(?:exercise\s+)?\d+|,?\s+discussed|\s*\([^)\n]*\))*"
_SELF_NAMED = [
    # a heading that names a solution anywhere, or starts with answer or discussion
    re.compile(r"^\s{0,3}#{1,6}\s+(?:.*\bsolutions?\b|" + _LABEL + r"\b)", re.I | re.M),
    # a paragraph led by the label alone, emphasised: **Solution, discussed.** *Discussion.*
    re.compile(
        r"(?:\A|\n\s*\n)\s*(\*\*|__|\*|_)\s*" + _LABEL + _QUALIFIER + r"\s*[.:]?\s*\1(?!\w)",
        re.I,
    ),
    # a paragraph led by the plain label and a colon or full stop: "Answer: 0.8." (not a
    # prompt's plain "Worked solution: the cell below")
    re.compile(r"(?:\A|\n\s*\n)\s*(?!worked)" + _LABEL + _QUALIFIER + r"\s*[.:]", re.I),
]
_CODE_SELF_NAMED = re.compile(r"\A\s*#\s*(?:solution|answer)\b", re.I)


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _calls_itself_an_answer(cell) -> bool:
    text = _source(cell)
    if cell["cell_type"] == "code":
        return bool(_CODE_SELF_NAMED.match(text))
    return any(pattern.search(text) for pattern in _SELF_NAMED)


def _is_prompt(cell) -> bool:
    return cell["cell_type"] == "markdown" and bool(_PROMPT.search(_source(cell)))


def _blank(cell) -> bool:
    lines = [line.strip() for line in _source(cell).splitlines()]
    return all(not line or line.startswith("#") for line in lines)


def answer_leaks(cells) -> list[str]:
    """Each untagged cell that answers an exercise, or cell that mixes prompt and answer.

    ``cells`` are a notebook's cells as JSON dicts; the messages name the cell's index.
    """
    found = []
    prompt = False  # inside an exercise: after its prompt, before the next heading
    answer_from = None  # the empty answer cell or solution cell that starts the answer
    for i, cell in enumerate(cells):
        tagged = editions.is_solution(cell)
        text = _source(cell)
        if _is_prompt(cell):
            # (c) a prompt and its answer in one cell: hidden, the task goes; shown, the
            # answer leaks. A label after the prompt's own heading is an answer.
            rest = "\n\n" + _PROMPT.split(text, maxsplit=1)[-1]
            if tagged:
                found.append(f"cell {i}: an exercise prompt inside a solution cell")
            elif any(pattern.search(rest) for pattern in _SELF_NAMED):
                found.append(f"cell {i}: an exercise prompt and its answer in one cell")
            prompt, answer_from = True, None
            continue
        if cell["cell_type"] == "markdown" and _HEADING.search(text) and not tagged:
            prompt, answer_from = False, None  # a new heading ends the exercise
        if tagged:
            answer_from = i if answer_from is None else answer_from
            continue
        if classroom.check_key(cell):  # a check cell: it names its exercise, never an answer
            continue
        if _calls_itself_an_answer(cell):  # (a)
            found.append(f"cell {i}: calls itself an answer ({text.strip()[:50]!r}), untagged")
        elif answer_from is None:
            if prompt and cell["cell_type"] == "code" and _blank(cell):
                answer_from = i  # the empty cell the student types in
        elif text.strip() if cell["cell_type"] == "markdown" else not _blank(cell):  # (b)
            found.append(
                f"cell {i}: untagged, after the answer that starts at cell {answer_from} and "
                f"before the next heading or exercise ({text.strip()[:50]!r})"
            )
    return found


def _md(text, *tags):
    return {"cell_type": "markdown", "metadata": {"tags": list(tags)}, "source": text}


def _py(text, *tags):
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": text, "outputs": []}


_PROMPT_CELL = _md("### Exercise 2: count\n\nCount them. *Worked solution: the cell below.*")
_SOLVED = [_PROMPT_CELL, _py("# Your answer here"), _py("ex2 = 3", "solution")]
_LEAKS = {
    "heading solution": [*_SOLVED, _md("### Solution\n\nThree, because ...")],
    "bold solution discussed": [_md("## Exercises"), _md("**Solution, discussed.** Three.")],
    "heading discussion of the solution": [_md("#### Discussion of the solution\nThree.")],
    "italic discussion": [_md("Some text.\n\n*Discussion.* Three, as printed.")],
    "bold discussion with a note": [_md("**Discussion (one answer; from this run).** It is.")],
    "plain answer label": [_md("Answer: three, since each ...")],
    "code calls itself a solution": [_PROMPT_CELL, _py("# Solution 2\nex2 = 3")],
    "prose after a solution": [*_SOLVED, _md("The count is three because ...")],
    "prose after a solution and a code step": [*_SOLVED, _py("print(ex2)"), _md("Three.")],
    "code after a solution": [*_SOLVED, _py("ex2_check = ex2 + 1")],
    "untagged code solution": [_PROMPT_CELL, _py("# Your answer here"), _py("ex2 = 3")],
    "prompt inside a solution": [_md("### Exercise 3: sum\n\nSum them.", "solution")],
    "prompt and answer in one cell": [_md("### Exercise 3: sum\n\nSum.\n\n**Answer.** 6.")],
}
_CLEAN = {
    "a lesson's exercise run": [
        _md("## Exercises\n\nEach has an empty cell for your answer, then a worked solution."),
        _PROMPT_CELL,
        _py("# Your answer here"),
        _py("# Solution 2: three\nex2 = 3", "solution"),
        _md("**Solution, discussed.** Three.", "solution"),
        _md(
            "### Exercise 3 (open) · more\n\n*The worked solution is in the hidden cells below "
            "the answer\ncell.*"
        ),
        _py("# Your answer here"),
        _py("ex3 = 6", "solution"),
        _md("*Discussion.* Six.", "solution"),
        _md("## Recap\n\n- The answer depends on the question."),
    ],
    "teaching prose": [
        _md("The PACF answers a narrower question.\n\nThe answer: look first (exercise 2)."),
        _md("**Choice**: interpolate. So say which question a ranking answers."),
        _md("A stable answer to the wrong question.\n\n| question | answer here |"),
    ],
}


@pytest.mark.parametrize("case", sorted(_LEAKS))
def test_the_leak_check_fails_on_an_untagged_answer(case):
    # Each case leaks in its last cell; the one with a code step in between, in both.
    cells = _LEAKS[case]
    leaking = [len(cells) - 2, len(cells) - 1] if "code step" in case else [len(cells) - 1]
    found = answer_leaks(cells)
    assert [message.split(":")[0] for message in found] == [f"cell {i}" for i in leaking]


@pytest.mark.parametrize("case", sorted(_CLEAN))
def test_the_leak_check_passes_tagged_answers_and_teaching_prose(case):
    assert answer_leaks(_CLEAN[case]) == []


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_the_leak_check_catches_each_real_solution_when_its_tag_is_lost(path):
    import json

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    solutions = [i for i, cell in enumerate(cells) if editions.is_solution(cell)]
    assert solutions, f"{path.name}: no solution cell to untag"
    for i in solutions:
        untagged = copy.deepcopy(cells)
        untagged[i]["metadata"]["tags"].remove(editions.SOLUTION_TAG)
        found = answer_leaks(untagged)
        assert any(message.startswith(f"cell {i}:") for message in found), (
            f"{path.name} cell {i}: an untagged solution the leak check does not see"
        )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_no_untagged_cell_answers_an_exercise(path):
    import json

    found = answer_leaks(json.loads(path.read_text(encoding="utf-8"))["cells"])
    assert not found, f"{path.name}: the student edition would show an answer:\n" + "\n".join(found)


def test_student_edition_drops_solution_cells_and_keeps_everything_else(tmp_path):
    written = editions.write_student_edition(LESSONS, tmp_path)
    assert [p.name for p in written] == [p.name for p in LESSONS]
    for stored, student in zip(LESSONS, written, strict=True):
        full, light = _read(stored), _read(student)
        kept = [c for c in full.cells if not editions.is_solution(c)]
        assert [c.source for c in light.cells] == [c.source for c in kept]
        assert [c.get("outputs") for c in light.cells] == [c.get("outputs") for c in kept]
        assert not any(editions.is_solution(c) for c in light.cells)
        if stored.name[:2] != "00":
            assert len(light.cells) < len(full.cells)


def test_the_editions_refuse_a_folder_without_lessons(tmp_path):
    with pytest.raises(FileNotFoundError, match="no lesson notebooks"):
        editions.lessons(tmp_path)


def test_make_students_command_runs_from_the_repository_root(tmp_path):
    out = tmp_path / "student"
    run = subprocess.run(
        [sys.executable, "-m", "tools.editions", "student", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.startswith(f"student edition: {len(LESSONS)} notebooks without solutions")
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in LESSONS]


@pytest.mark.slow
@pytest.mark.student_edition
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_student_notebook_runs_top_to_bottom_with_empty_answers(path, tmp_path):
    from nbclient import NotebookClient

    nb = editions.student_notebook(_read(path))
    # Run from a folder beside notebooks/, as `make student` writes student/.
    work = ROOT / "student"
    work.mkdir(exist_ok=True)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    ).execute()
    errors = [
        out
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors
    # Each exercise's check cell ran on an empty answer: it says "not yet" and what to define,
    # never "right" (the same checks say right under the worked answers: tests/test_classroom).
    for cell in nb.cells:
        if classroom.check_key(cell):
            said = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            key = classroom.check_key(cell)
            assert "not yet." in said and "- define `" in said and "right." not in said, (key, said)


# --------------------------------------------------------------------------- the website


def _chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    pages = editions.build_site(LESSONS, out)
    return out, pages


@pytest.mark.slow
def test_site_has_an_index_and_one_page_per_lesson_with_solutions_folded(site):
    out, pages = site
    assert [p.name for p in pages] == ["index.html"] + [p.stem + ".html" for p in LESSONS]
    index = (out / "index.html").read_text()
    for lesson in LESSONS:
        assert f'href="{lesson.stem}.html"' in index
        page = (out / f"{lesson.stem}.html").read_text()
        n_solutions = sum(editions.is_solution(c) for c in _read(lesson).cells)
        assert page.count('<details class="solution">') == n_solutions
        assert '.ipynb"' not in page, "a link to a notebook was not turned into a page link"
    assert (out / "mathjax" / "MathJax.js").is_file()


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("CI must test the site in a real browser: install Debian's chromium")
        pytest.skip("no chromium on this machine: `sudo apt-get install chromium` to test the site")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


_PAGE_CHECK = """() => {
  const markdown = Array.from(document.querySelectorAll('.jp-RenderedMarkdown'));
  return {
    mathjax: document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_CHTML').length,
    raw: markdown.filter(e => e.innerText.includes('$$')).length,
    errors: document.querySelectorAll('.MathJax_Error, merror').length,
    images: document.images.length,
    broken: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length,
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
  };
}"""


def _has_maths(stem) -> bool:
    """Whether a lesson's markdown holds LaTeX: $$...$$ or $...$ around non-blank text."""
    nb = _read(stem.with_suffix(".ipynb"))
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return bool(re.search(r"\$\$.+?\$\$|\$[^$\s][^$]*\$", text, flags=re.S))


_READY = "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"


@pytest.mark.slow
def test_every_page_loads_offline_with_rendered_maths_images_and_links(site, browser):
    out, pages = site
    page = browser.new_page()
    outside = []

    def only_local(route):
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    failed = []  # a local file the page asked for and did not get (a missing font, a script)
    page.on("requestfailed", lambda request: failed.append(request.url))
    for path in pages:
        page.goto(path.as_uri())
        has_maths = path.name != "index.html" and _has_maths(ROOT / "notebooks" / path.stem)
        if path.name != "index.html":
            page.wait_for_function(_READY, timeout=60_000)
        found = page.evaluate(_PAGE_CHECK)
        if has_maths:
            assert found["mathjax"] > 0, f"{path.name}: no formula rendered by MathJax"
        assert found["raw"] == 0, f"{path.name}: raw $$ left in the rendered text"
        assert found["errors"] == 0, f"{path.name}: MathJax could not typeset a formula"
        assert found["broken"] == 0, f"{path.name}: {found['broken']} broken image(s)"
        for href in found["links"]:
            if href.startswith(("http://", "https://", "mailto:", "#")):
                continue
            target = (path.parent / href.split("#")[0]).resolve()
            assert target.is_file(), f"{path.name}: link {href!r} leads nowhere"
    assert outside == [], f"requests left the machine: {outside[:5]}"
    # MathJax's HTML-CSS output probes for the TeX fonts' .otf files before it falls back on
    # the STIX-Web fonts it is configured with (the formulas are checked above); about:blank is
    # the empty frame it measures text in. Any other local file that fails to load is a defect.
    probes = ("about:blank", "/mathjax/fonts/HTML-CSS/TeX/otf/")
    missing = [u for u in failed if u not in outside and not any(p in u for p in probes)]
    assert missing == [], f"files not found: {missing[:5]}"
    page.close()
