# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the collection's documentation site (``make docs``) with antsibull-docs and Sphinx.

Run it with the Python of a venv made from docs/requirements.txt, from anywhere:

    python docs/build_site.py [--dest docs/build]

It copies the collection into a temporary ``ansible_collections/incident_io/status_page`` tree, adds the bad-input
reference (docs/bad-input.md, turned into reStructuredText) to the copy's extra docs, lets antsibull-docs write the
reStructuredText of every module, the role and the guides in docs/docsite/, and builds the HTML with Sphinx, warnings
as errors. It needs no network: intersphinx is switched off, so no inventory is downloaded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import typing as t
import zlib
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
COLLECTION = "incident_io.status_page"
BAD_INPUT_MD = Path("docs") / "bad-input.md"
BAD_INPUT_DOC = "bad-input"

# Not part of the collection's documentation, and often large.
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".venv-*",
    ".cache",
    ".ansible",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    ".tox",
    ".benchmarks",
    "__pycache__",
    "*.pyc",
    "*.tar.gz",
    "output",
    "build",
    "dist",
    "node_modules",
)

# The labels of the Ansible documentation that antsibull-docs' pages refer to, with their pages there. The build
# writes them into a local intersphinx inventory, so that these links resolve without downloading the real one.
ANSIBLE_DOCS_URL = "https://docs.ansible.com/projects/ansible/devel/"
ANSIBLE_DOCS_LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values", "Return Values"),
    "ansible_configuration_settings": ("reference_appendices/config.html#ansible-configuration-settings", "Ansible Configuration Settings"),
    "playbooks_module_defaults": ("playbook_guide/playbooks_module_defaults.html#module-defaults", "Module defaults"),
    "action_plugins": ("plugins/action.html#action-plugins", "Action plugins"),
}

# Appended to the conf.py that `antsibull-docs sphinx-init` writes: intersphinx reads only the local inventory.
CONF_OVERRIDES = """
# Offline build: intersphinx reads a local inventory of the Ansible docs' labels and downloads nothing.
intersphinx_mapping = {{'ansible_devel': ({url!r}, {inventory!r})}}

# Long messages in the bad-input table wrap instead of widening the table past the page.
html_static_path = ['_static']
html_css_files = ['wrap-tables.css']
"""

WRAP_TABLES_CSS = """\
.wy-table-responsive table td, .wy-table-responsive table th { white-space: normal; }
.wy-table-responsive table td code.literal { white-space: pre-wrap; word-break: break-word; }
"""


class MarkdownToRst:
    """Turns the Markdown of docs/bad-input.md (headings, paragraphs, lists, code, tables) into reStructuredText."""

    HEADING_UNDERLINES: t.ClassVar[dict[str, str]] = {"h1": "=", "h2": "-", "h3": "~", "h4": "^"}

    def __init__(self, source: str) -> None:
        self.tokens = MarkdownIt("commonmark").enable("table").parse(source)
        self.position = 0

    def convert(self) -> str:
        """Return the whole document as reStructuredText."""
        blocks = []

        while self.position < len(self.tokens):
            block = self.block()

            if block is not None:
                blocks.append(block)

        return "\n\n".join(blocks).rstrip() + "\n"

    def take(self, token_type: str | None = None):
        """Return the next token, checking its type."""
        token = self.tokens[self.position]
        self.position += 1

        if token_type and token.type != token_type:
            raise ValueError(f"expected {token_type}, got {token.type} at line {token.map}")

        return token

    def block(self) -> str | None:
        """Convert the block that starts at the current token."""
        token = self.take()

        if token.type == "heading_open":
            text = self.inline(self.take("inline"))
            self.take("heading_close")
            return f"{text}\n{self.HEADING_UNDERLINES.get(token.tag, '~') * len(text)}"

        if token.type == "paragraph_open":
            text = self.inline(self.take("inline"))
            self.take("paragraph_close")
            return text

        if token.type in ("fence", "code_block"):
            language = (token.info or "").strip().split(" ")[0] or "text"
            body = "\n".join(f"    {line}" if line else "" for line in token.content.rstrip("\n").split("\n"))
            return f".. code-block:: {language}\n\n{body}"

        if token.type in ("bullet_list_open", "ordered_list_open"):
            return self.list_block(token)

        if token.type == "table_open":
            return self.table()

        if token.type == "hr":
            return "----"

        if token.type == "html_block":
            return None

        raise ValueError(f"unsupported Markdown element {token.type} at line {token.map}")

    def list_block(self, opening) -> str:
        """Convert a bullet or ordered list."""
        closing = opening.type.replace("_open", "_close")
        marker = "#." if opening.type == "ordered_list_open" else "-"
        items = []

        while self.tokens[self.position].type != closing:
            self.take("list_item_open")
            parts = []

            while self.tokens[self.position].type != "list_item_close":
                part = self.block()

                if part is not None:
                    parts.append(part)

            self.take("list_item_close")
            text = "\n\n".join(parts)
            indent = " " * (len(marker) + 1)
            items.append(f"{marker} " + text.replace("\n", "\n" + indent))

        self.take(closing)
        return "\n".join(items)

    def table(self) -> str:
        """Convert a pipe table into a list-table."""
        rows: list[list[str]] = []
        header_rows = 0

        while (token := self.take()).type != "table_close":
            if token.type == "tr_open":
                rows.append([])
            elif token.type in ("th_open", "td_open"):
                header_rows += token.type == "th_open" and len(rows[-1]) == 0
                inline = self.tokens[self.position]
                rows[-1].append(self.inline(inline) if inline.type == "inline" else "")

        lines = [".. list-table::", f"  :header-rows: {1 if header_rows else 0}", ""]

        for row in rows:
            for index, cell in enumerate(row):
                prefix = f"  {'* -' if index == 0 else '  -'} "
                cell_lines = [line.strip() for line in cell.split("\n") if line.strip()]

                if len(cell_lines) > 1:
                    # A line block keeps the cell's line breaks (<br> in the Markdown).
                    lines.append(prefix + "| " + cell_lines[0])
                    lines.extend(" " * len(prefix) + "| " + line for line in cell_lines[1:])
                else:
                    lines.append(prefix + (cell_lines[0] if cell_lines else "\\"))

        return "\n".join(lines)

    def inline(self, token) -> str:
        """Convert inline Markdown (code, emphasis, links, line breaks) to reStructuredText; breaks become newlines."""
        pieces: list[tuple[str, str]] = []  # (kind, text): kind is "text", "start" or "end" of inline markup
        link_target = None
        link_label: list[str] = []

        for child in token.children or []:
            if link_target is not None and child.type != "link_close":
                link_label.append(child.content)
                continue

            if child.type == "text":
                pieces.append(("text", rst_escape(child.content)))
            elif child.type == "code_inline":
                pieces.append(("whole", f"``{child.content}``"))
            elif child.type in ("strong_open", "em_open"):
                pieces.append(("start", "**" if child.type == "strong_open" else "*"))
            elif child.type in ("strong_close", "em_close"):
                pieces.append(("end", "**" if child.type == "strong_close" else "*"))
            elif child.type == "link_open":
                link_target = child.attrs.get("href", "")
                link_label = []
            elif child.type == "link_close":
                label = rst_escape("".join(link_label))
                external = str(link_target).startswith(("http://", "https://"))
                pieces.append(("whole", f"`{label} <{link_target}>`__") if external else ("text", label))
                link_target = None
            elif child.type in ("softbreak", "hardbreak") or (child.type == "html_inline" and child.content.lower().startswith("<br")):
                pieces.append(("text", "\n"))
            elif child.type == "html_inline":
                continue
            else:
                pieces.append(("text", rst_escape(child.content)))

        return join_inline(pieces)


# reStructuredText only sees inline markup that starts after whitespace or one of these characters and ends before
# whitespace or one of the others; elsewhere an escaped space ("\ ", which renders as nothing) separates them.
MARKUP_MAY_FOLLOW = " \n-:/'\"<([{"
MARKUP_MAY_PRECEDE = " \n-.,:;!?\\/'\")]}>"


def join_inline(pieces: list[tuple[str, str]]) -> str:
    """Join inline pieces, separating markup from adjacent text where reStructuredText needs it."""
    out = ""
    previous = "text"

    for kind, text in pieces:
        if not text:
            continue

        needs_separator = (kind in ("start", "whole") and out and out[-1] not in MARKUP_MAY_FOLLOW) or (
            previous in ("end", "whole") and kind != "end" and text[0] not in MARKUP_MAY_PRECEDE
        )

        if needs_separator:
            out += "\\ "

        out += text
        previous = kind

    return out


def rst_escape(text: str) -> str:
    """Escape the characters that reStructuredText would read as markup."""
    for character in ("\\", "*", "`", "|", "_"):
        text = text.replace(character, "\\" + character)

    return text


def write_ansible_inventory(path: Path) -> None:
    """Write a Sphinx (intersphinx) inventory of ANSIBLE_DOCS_LABELS."""
    lines = [f"{label} std:label -1 {uri} {title}" for label, (uri, title) in sorted(ANSIBLE_DOCS_LABELS.items())]
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n# The remainder of this file is compressed using zlib.\n"
    path.write_bytes(header.encode() + zlib.compress(("\n".join(lines) + "\n").encode()))


def run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Run a command, echoing it; raise on failure."""
    print("+ " + " ".join(command), flush=True)
    subprocess.run(command, cwd=cwd, env=env, check=True, stdin=subprocess.DEVNULL)


def tool(name: str) -> str:
    """Return a console script of this venv."""
    path = VENV_BIN / name

    if not path.exists():
        raise SystemExit(f"{name} is not installed next to {sys.executable}: pip install -r docs/requirements.txt")

    return str(path)


def stage_collection(work: Path) -> Path:
    """Copy the collection into work/collections/ansible_collections/incident_io/status_page and return it."""
    namespace, name = COLLECTION.split(".")
    staged = work / "collections" / "ansible_collections" / namespace / name
    shutil.copytree(REPO_ROOT, staged, ignore=COPY_IGNORE, symlinks=True)
    return staged


def add_bad_input_reference(staged: Path) -> None:
    """Turn docs/bad-input.md into an extra doc of the staged copy and list it in its extra-docs.yml."""
    source = REPO_ROOT / BAD_INPUT_MD

    if not source.is_file():
        raise SystemExit(f"{BAD_INPUT_MD} does not exist: the site's bad-input reference is generated from it")

    label = f".. _ansible_collections.{COLLECTION}.docsite.{BAD_INPUT_DOC.replace('-', '_')}:"
    body = MarkdownToRst(source.read_text(encoding="utf-8")).convert()
    (staged / "docs" / "docsite" / "rst" / f"{BAD_INPUT_DOC}.rst").write_text(f"{label}\n\n{body}", encoding="utf-8")

    extra_docs_path = staged / "docs" / "docsite" / "extra-docs.yml"
    extra_docs = yaml.safe_load(extra_docs_path.read_text(encoding="utf-8"))
    extra_docs.setdefault("sections", []).append({"title": "Reference", "toctree": [BAD_INPUT_DOC]})
    extra_docs_path.write_text(yaml.safe_dump(extra_docs, sort_keys=False), encoding="utf-8")


def build(dest: Path, work: Path) -> None:
    """Build the HTML site into dest."""
    staged = stage_collection(work)
    add_bad_input_reference(staged)

    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_") and key != "PYTHONPATH"}
    env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", os.defpath)])
    env["ANSIBLE_COLLECTIONS_PATH"] = str(work / "collections")
    env["ANSIBLE_COLLECTIONS_SCAN_SYS_PATH"] = "false"
    env["ANSIBLE_LOCAL_TEMP"] = str(work / "ansible-tmp")
    env["ANSIBLE_NOCOLOR"] = "1"

    site = work / "site"
    site.mkdir(mode=0o700)
    galaxy = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text(encoding="utf-8"))
    run(
        [
            tool("antsibull-docs"),
            "sphinx-init",
            "--use-current",
            "--squash-hierarchy",
            "--fail-on-error",
            "--dest-dir",
            str(site),
            "--project",
            COLLECTION,
            "--copyright",
            "incident_io.status_page contributors",
            "--title",
            f"{COLLECTION} {galaxy['version']}",
            "--html-short-title",
            COLLECTION,
            COLLECTION,
        ],
        work,
        env,
    )
    inventory = site / "ansible_devel.inv"
    write_ansible_inventory(inventory)

    (site / "_static").mkdir()
    (site / "_static" / "wrap-tables.css").write_text(WRAP_TABLES_CSS, encoding="utf-8")

    with (site / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(CONF_OVERRIDES.format(url=ANSIBLE_DOCS_URL, inventory=str(inventory)))

    rst = site / "rst"
    rst.mkdir(mode=0o700, exist_ok=True)
    rst.chmod(0o700)
    run(
        [
            tool("antsibull-docs"),
            "--config-file",
            str(site / "antsibull-docs.cfg"),
            "collection",
            "--cleanup",
            "everything",
            "--fail-on-error",
            "--use-current",
            "--squash-hierarchy",
            "--dest-dir",
            str(rst),
            COLLECTION,
        ],
        site,
        env,
    )

    # -W: warnings are errors; -n: every reference must resolve; -E: no stale environment.
    html = work / "html"
    run([tool("sphinx-build"), "-b", "html", "-W", "--keep-going", "-n", "-E", "-c", str(site), str(rst), str(html)], site, env)

    if dest.exists():
        shutil.rmtree(dest)

    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(html, dest)
    print(f"Documentation site: {dest / 'index.html'}")


def main() -> int:
    """Parse the arguments and build the site."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--dest", type=Path, default=REPO_ROOT / "docs" / "build" / "html", help="where the HTML goes")
    parser.add_argument("--keep-work", action="store_true", help="keep the temporary Sphinx project and print its path")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="incident-io-docs-"))

    try:
        build(options.dest.resolve(), work)
    except subprocess.CalledProcessError as ex:
        print(f"docs build failed: {' '.join(ex.cmd)} exited {ex.returncode}", file=sys.stderr)
        return 1
    finally:
        if options.keep_work:
            print(f"Sphinx project kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    return 0


if __name__ == "__main__":
    sys.exit(main())
