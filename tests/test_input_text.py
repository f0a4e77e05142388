"""Input text is text everywhere: in Streamlit's markdown, on a terminal, and in refusals.

A link, a file's name, a header or a cell can hold markup (``![x](https://…)`` makes the
browser fetch an image), terminal escape codes, or the place of a refuge. Each test writes
such input and checks, character by character, what the user is shown.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from apps import run_dashboard
from streamlit.testing.v1 import AppTest

from loaders import load_services
from loaders.store import open_store
from safetymap.analysis.filters import Filters, filters_from_query
from safetymap.cli import main
from safetymap.commands import terminal_text
from safetymap.ui.text import escape_markdown

ROOT = Path(__file__).resolve().parents[1]
WATFORD = "51.65531,-0.39602"
IMAGE = "![x](https://example.org/x.png)"

# ------------------------------------------------------------------ helpers
CATEGORIES = (
    "one of helpline, idva, refuge, sarc, rape_crisis, perpetrator_programme, victim_hub, "
    "outreach, police, housing, other"
)
LATITUDE = "a latitude in decimal degrees (WGS84), 49 to 61"
WITHHELD = "a value withheld (confidential service location)"
#: Services that look confidential, each with two faults; then two public ones as controls.
SERVICES = (
    "service_id,name,category,latitude,longitude,confidential,coverage,opening_hours\n"
    # a category that is not in the list but says refuge, and a latitude that is a word
    "A,Herts Womens Refuge,Womens Refuge,north,-0.212345,,county,24/7\n"
    # a flag that cannot be read, and a latitude out of range
    "B,Safe house,outreach,99.812345,-0.212345,maybe,county,24/7\n"
    # a name that says SARC, and a place outside the county
    "C,Hidden SARC,other,51.412345,-0.312345,,county,24/7\n"
    # a category that says safe house, and half a coordinate pair
    "D,Place,Safe house,51.812345,west,no,county,24/7\n"
    # public services with the same faults are quoted as they were found
    "P,Outreach,outreach,north,-0.212345,no,county,24/7\n"
    "Q,Outreach two,outreach,51.50740,-0.12780,no,county,24/7\n"
)
SECRETS = ("-0.212345", "-0.2123", "99.81", "51.41", "-0.31", "51.81", "west")
#: (row, field, found) of each refusal, worked out from the rows above
REFUSALS = [
    (2, "category", '"Womens Refuge"'),
    (2, "latitude", WITHHELD),
    (3, "confidential", '"maybe"'),
    (3, "latitude", WITHHELD),
    (4, "latitude", WITHHELD),
    (5, "category", '"Safe house"'),
    (5, "longitude", WITHHELD),
    (5, "latitude", WITHHELD),
    (6, "latitude", '"north"'),
    (7, "latitude", "51.50740, -0.12780 (17.5 km outside the county)"),
]


def page_text(app: AppTest) -> str:
    """Return every text element and table cell of a run, for searching."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error",
             "success", "text", "code")
    texts = [str(element.value) for kind in kinds for element in getattr(app, kind)]
    texts += [frame.value.to_csv() for frame in app.dataframe]
    return "\n".join(texts)


# ------------------------------------------------------------------ markdown
@pytest.mark.parametrize(("text", "shown"), [
    (IMAGE, r"\!\[x\]\(https\://example\.org/x\.png\)"),
    ("[link](https://example.org)", r"\[link\]\(https\://example\.org\)"),
    ("<img src=x onerror=alert(1)>", r"\<img src\=x onerror\=alert\(1\)\>"),
    ("**bold** _it_ `code` ~~gone~~", r"\*\*bold\*\* \_it\_ \`code\` \~\~gone\~\~"),
    (":red[alarm] $x^2$ &amp;", r"\:red\[alarm\] \$x^2\$ \&amp;"),
    ("www.example.org", r"www\.example\.org"),
    ("Watford\n# Heading\r\n- item", r"Watford \# Heading \- item"),
    ("Plain words, 'quoted' 100%", "Plain words, 'quoted' 100%"),
    (None, ""),
])
def test_markdown_is_escaped_character_by_character(text: str | None, shown: str) -> None:
    assert escape_markdown(text) == shown


def test_a_link_value_that_could_not_be_a_filter_is_not_repeated() -> None:
    filters, problems = filters_from_query({
        "district": ["Luton", "Watford"], "reason": IMAGE, "time": "night\x1b[2J",
        "from": "<b>today</b>",
    })
    assert filters == Filters(districts=("E07000103",))
    assert problems == [
        "'district' in the link: 'Luton' is not a Hertfordshire district",
        "'time' in the link: a value that is not shown is not one of morning, afternoon, "
        "evening, night, unknown",
        "'reason' in the link: a value that is not shown is not a reason code",
        "'from' in the link: expected a date YYYY-MM-DD, found a value that is not shown",
    ]


def run(page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
    return run_dashboard(page, query)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "streetsafe_test.csv").write_text(
        f"report_id,submitted_at,latitude,longitude\nW1,2026-03-01 10:00,{WATFORD}\n"
    )
    (folder / "services_test.csv").write_text(SERVICES)
    # A file the dashboard ignores, named with an image: its name is quoted in a notice.
    (folder / "notes_![x](https:example.org).txt").write_text("not an export")
    monkeypatch.setenv("SAFETYMAP_DATA", str(folder))
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    return folder


def test_a_markdown_link_parameter_is_dropped_with_a_plain_notice(data_dir: Path) -> None:
    app = run(query={"reason": IMAGE, "district": "__Luton__,Watford"})
    assert [warning.value for warning in app.warning] == [
        r"Part of the link was ignored: 'district' in the link\: '\_\_Luton\_\_' is not a "
        "Hertfordshire district",
        r"Part of the link was ignored: 'reason' in the link\: a value that is not shown is "
        "not a reason code",
    ]
    assert app.multiselect[0].value == ["E07000103"]  # Watford, the usable part, is kept
    assert app.multiselect[2].value == []
    assert "example" not in page_text(app)


def test_a_file_name_and_a_confidential_looking_row_on_the_data_page(data_dir: Path) -> None:
    app = run("pages/data_sources.py")
    assert app.info[0].value == (
        r"Ignored notes\_\!\[x\]\(https\:example\.org\)\.txt\: not a streetsafe\*, survey\*, "
        r"services\* or outreach\* \.csv or \.xlsx file\."
    )
    refused = app.dataframe[1].value
    services = refused[refused["File"] == "services_test.csv"]
    assert list(zip(services["Row"].astype(int), services["Field"], services["Found"],
                    strict=True)) == REFUSALS
    shown = page_text(app)
    for secret in SECRETS:
        assert secret not in shown


def test_a_file_name_and_header_on_the_upload_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETYMAP_STORE", str(tmp_path / "store.gpkg"))
    monkeypatch.delenv("SAFETYMAP_DATA", raising=False)
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    harness = (
        "import streamlit as st\nfrom safetymap.ui import app\napp.start()\n"
        f"st.navigation([st.Page({str(ROOT / 'pages' / 'upload.py')!r}, title='U')]).run()\n"
    )
    app = AppTest.from_string(harness, default_timeout=60).run()
    upload = ("streetsafe_![x](https:example.org).csv",
              f"report_id,{IMAGE},latitude,longitude\nW1,2026-03-01,{WATFORD}\n".encode(),
              "text/csv")
    app.file_uploader(key="upload.file").set_value(upload).run()
    assert not app.exception, [e.value for e in app.exception]
    assert [error.value for error in app.error] == [
        # the upload's name was made safe for a file system first (uploads.py)
        r"The whole file is refused: streetsafe\_\_x\_https\_example\.org\_\.csv\: "
        r"expected a column submitted\_at \(or date submitted, created, submitted, "
        r'created\_at\), found "report\_id", "\!\[x\]\(https\://example\.org/x\.png\)", '
        r'"latitude", "longitude"'
    ]


# ------------------------------------------------------------------ terminal
@pytest.mark.parametrize(("text", "one_line", "shown"), [
    ("a\x1b[31mred\x1b[0m", False, "a\\x1b[31mred\\x1b[0m"),
    ("title\x1b]0;owned\x07", False, "title\\x1b]0;owned\\x07"),
    ("over\rwrite", False, "over\\x0dwrite"),
    ("c1\x9b2J del\x7f nul\x00", False, "c1\\x9b2J del\\x7f nul\\x00"),
    ("bidi\u202eevil\u2066", False, "bidi\\u202eevil\\u2066"),
    ("tab\tand\nnewline", False, "tab\tand\nnewline"),
    ("one\nline", True, "one\\nline"),
    ("Café ✓ £5", False, "Café ✓ £5"),
])
def test_control_characters_are_written_out(text: str, one_line: bool, shown: str) -> None:
    assert terminal_text(text, one_line=one_line) == shown


def test_validate_prints_no_terminal_escape_from_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header_file = tmp_path / "streetsafe_\x1b[2J.csv"
    header_file.write_text("report_id,\x1b]0;owned\x07when,latitude,longitude\n"
                           f"W1,2026-03-01 10:00,{WATFORD}\n")
    cell_file = tmp_path / "streetsafe_b.csv"
    cell_file.write_text("report_id,submitted_at,latitude,longitude\n"
                         "W1,2026-03-01 10:00,51.65531,x\x9b31m\u202eOK\n")
    assert main(["validate", "--kind", "streetsafe", str(header_file), str(cell_file)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "streetsafe_\\x1b[2J.csv: expected a column submitted_at (or date submitted, created, "
        'submitted, created_at), found "report_id", "\\x1b]0;owned\\x07when", "latitude", '
        '"longitude"',
        "streetsafe_b.csv, row 2, field longitude: expected a longitude in decimal degrees "
        '(WGS84), -8 to 2, found "x\\x9b31m\\u202eOK"',
        "streetsafe_b.csv, row 2, field latitude: expected both halves of a coordinate pair "
        '(latitude and longitude, or easting and northing), found "51.65531"',
    ]
    for stream in (captured.out, captured.err):
        assert not set(stream) & {"\x1b", "\x07", "\x9b", "\u202e", "\r"}


def test_ingest_prints_no_terminal_escape_from_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "streetsafe_\x1b[31m.csv"
    path.write_text("report_id,submitted_at,latitude,longitude\n"
                    f"W1,2026-03-01 10:00,{WATFORD}\n"
                    "W2\x1b]0;owned\x07,someday,51.65531,-0.39602\n")
    store = tmp_path / "store.gpkg"
    assert main(["ingest", "--kind", "streetsafe", str(path), "--store", str(store),
                 "--progress"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == (
        "streetsafe_\\x1b[31m.csv: added 1, already present 0, refused 1 (quarantined)"
    )
    assert (
        "refused: streetsafe_\\x1b[31m.csv, row 3, field submitted_at: expected "
        in captured.err
    )
    # the progress bar's own "clear to the end of the line" is the only escape printed
    assert captured.err.count("\x1b") == captured.err.count("\x1b[K")
    assert "\x07" not in captured.out + captured.err


# ------------------------------------------------------------------ confidential-looking rows
def test_a_row_that_looks_confidential_never_has_its_coordinates_quoted(tmp_path: Path) -> None:
    path = tmp_path / "services.csv"
    path.write_text(SERVICES)
    result = load_services([path])
    assert [(p.row, p.field, p.found) for p in result.problems] == REFUSALS
    assert result.problems[0].message() == (
        f'services.csv, row 2, field category: expected {CATEGORIES}, found "Womens Refuge"'
    )
    assert result.problems[1].message() == (
        f"services.csv, row 2, field latitude: expected {LATITUDE}, found {WITHHELD}"
    )
    assert result.frame.empty  # every row has a fault
    messages = "\n".join(p.message() for p in result.problems)
    for secret in SECRETS:
        assert secret not in messages


def test_nor_in_the_store_quarantine(tmp_path: Path) -> None:
    path = tmp_path / "services.csv"
    path.write_text(SERVICES)
    store = open_store(tmp_path / "store.gpkg")
    summary = store.ingest("services", [path])
    assert (summary.added, summary.refused) == (0, 6)
    quarantined = store.load(reports=False).services.problems
    assert [(p.row, p.field, p.found) for p in quarantined] == REFUSALS
    table = pd.DataFrame([vars(p) for p in quarantined]).to_csv()
    for secret in SECRETS:
        assert secret not in table
