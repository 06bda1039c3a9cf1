"""Small hostile files and bad records: each is refused or skipped with one line, in bounded work,
and the good ones beside it still go in. Every file is built here, in tmp."""

from __future__ import annotations

import io
import json
import os
import random
import string
import struct
import zipfile

import pytest

from index import word
from index.errors import InputError
from index.extract import ExtractError, extract_bytes, extract_limited, read_limited
from index.ingest import ingest_paths
from index.metadata import real_author
from index.worker import LimitExceeded, WorkLimits, run_limited
from tests.helpers.files import docx_bytes, pdf_bytes

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
GOOD_MD = "---\nid: good\n---\nProbamos precintos electrónicos con GPS en los tránsitos.\n"


def alias_bomb(levels: int = 9) -> str:
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels):
        prev, cur = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{cur}: &{cur} [{', '.join(f'*{prev}' for _ in range(9))}]")
    return "\n".join(lines) + "\n---\nA post about seals.\n"


def raw_docx(body: str, parts: dict[str, str] | None = None) -> bytes:
    """A .docx written by hand: the document part's body XML, plus any other parts."""
    ns = (
        f'xmlns:w="{W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "word/document.xml", f'<?xml version="1.0"?><w:document {ns}><w:body>{body}</w:body></w:document>'
        )
        for name, xml in (parts or {}).items():
            z.writestr(name, xml.replace("NS", ns))
    return out.getvalue()


def p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


# -- worker limits ------------------------------------------------------------------------------


def _hog_memory() -> int:
    blocks = []
    while True:
        blocks.append(bytearray(64 * 1024 * 1024))


def _spin() -> None:
    while True:
        pass


def _raise_extract_error() -> None:
    raise ExtractError("x.md: a reason")


def test_worker_memory_limit_is_named():
    with pytest.raises(LimitExceeded, match="more than 300 MB of memory"):
        run_limited(_hog_memory, limits=WorkLimits(memory_mb=300, cpu_seconds=30), label="big.docx")


def test_worker_cpu_limit_is_named():
    with pytest.raises(LimitExceeded, match="1 s of processor time"):
        run_limited(_spin, limits=WorkLimits(cpu_seconds=1, wall_seconds=30), label="slow.pdf")


def test_worker_keeps_the_readers_error_type():
    with pytest.raises(ExtractError, match="x.md: a reason"):
        run_limited(_raise_extract_error, limits=WorkLimits(), label="x.md")


# -- YAML and Word -------------------------------------------------------------------------------


def test_yaml_alias_bomb_in_front_matter_is_refused_at_once():
    with pytest.raises(ExtractError, match=r"bomb.md: line \d+: invalid YAML front matter: aliases"):
        extract_limited(alias_bomb().encode(), "bomb.md", limits=WorkLimits())


def test_impossible_yaml_date_is_a_skipped_field_not_a_crash(kb, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "bad.md").write_text("---\ndate: 2022-13-45\n---\nPrecintos en la frontera.\n")
    (src / "good.md").write_text(GOOD_MD)
    report = ingest_paths(kb, [src])
    assert report.added == 1
    assert report.skipped == [(str(src / "bad.md"), "date '2022-13-45' is not a valid date")]


def test_twenty_thousand_paragraphs_are_read_in_one_pass():
    data = raw_docx("".join(p(f"w{n}") for n in range(20_000)))
    got = extract_bytes(data, "many.docx")
    assert got.text.count("\n") == 19_999 and got.text.endswith("w19999")


def test_word_part_expanding_past_the_cap_is_refused_while_reading(monkeypatch):
    rng = random.Random(18)
    filler = "".join(p("".join(rng.choices(string.ascii_letters, k=1000))) for _ in range(3000))  # ~3 MB
    monkeypatch.setattr("index.extract.DOCX_MAX_XML_BYTES", 1024 * 1024)
    with pytest.raises(ExtractError, match="expand past 1 MB of XML"):
        extract_bytes(raw_docx(filler), "wide.docx")


def test_zip_that_understates_its_sizes_is_refused_without_expanding():
    data = bytearray(raw_docx(p("y" * 1000) * 3000))
    # Rewrite the central directory's uncompressed size of the document part to 100 bytes.
    at = data.rfind(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == b"word/document.xml":
            struct.pack_into("<I", data, at + 24, 100)
        at = data.rfind(b"PK\x01\x02", 0, at)
    with pytest.raises(ExtractError, match="damaged"):
        extract_bytes(bytes(data), "liar.docx")


def test_word_headers_footers_text_boxes_content_controls_and_insertions_are_kept():
    body = (
        '<w:p><w:pPr><w:pStyle w:val="Ttulo1"/></w:pPr><w:r><w:t>Precintos en tránsito</w:t></w:r></w:p>'
        "<w:sdt><w:sdtContent>" + p("Texto de un control de contenido") + "</w:sdtContent></w:sdt>"
        "<w:p><w:r><w:t>Antes </w:t></w:r><w:ins><w:r><w:t>insertado </w:t></w:r></w:ins>"
        "<w:del><w:r><w:delText>borrado </w:delText></w:r></w:del><w:r><w:t>después</w:t></w:r></w:p>"
        "<w:p><w:r><mc:AlternateContent><mc:Choice><w:drawing><wps:txbx><w:txbxContent>"
        + p("Cuadro de texto")
        + "</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><v:textbox><w:txbxContent>"
        + p("Cuadro de texto")
        + "</w:txbxContent></v:textbox></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    styles = '<w:styles NS><w:style w:styleId="Ttulo1"><w:name w:val="heading 1"/></w:style></w:styles>'
    data = raw_docx(
        body,
        {
            "word/styles.xml": styles,
            "word/header1.xml": f"<w:hdr NS>{p('Aduana de Ejemplo — informe')}</w:hdr>",
            "word/header2.xml": f"<w:hdr NS>{p('Aduana de Ejemplo — informe')}</w:hdr>",
            "word/footer1.xml": f"<w:ftr NS>{p('Confidencial')}</w:ftr>",
        },
    )
    got = extract_bytes(data, "word.docx")
    assert got.text.split("\n") == [
        "Aduana de Ejemplo — informe",  # once, though two sections repeat it
        "Precintos en tránsito",
        "Texto de un control de contenido",
        "Antes insertado después",
        "Cuadro de texto",  # once: the VML fallback copy is not read
        "",
        "Confidencial",
    ]
    assert got.title == "Precintos en tránsito"  # a heading by its style's name, whatever its id


def test_word_with_a_dtd_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>')
    with pytest.raises(ExtractError, match="DTD"):
        extract_bytes(out.getvalue(), "dtd.docx")


def test_read_docx_counts_kept_characters():
    data = raw_docx(p("z" * 5000))
    with (
        zipfile.ZipFile(io.BytesIO(data)) as archive,
        pytest.raises(word.WordError, match="4,000 characters"),
    ):
        word.read_docx(archive, max_xml_bytes=10**7, max_chars=4000)


# -- metadata -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "author",
    ["python-docx", "(anonymous)", "Microsoft Office User", "jsmith01", "Owner", "DESKTOP-4F2K\\Owner"],
)
def test_placeholder_authors_are_not_trusted(author):
    assert real_author(author) == ""
    got = extract_bytes(docx_bytes(["Texto del caso de estudio."], author=author), "case.docx")
    assert "author" not in got.fields


@pytest.mark.parametrize("author", ["Aduana de Ejemplo", "María José Pérez", "DGA"])
def test_real_authors_are_kept(author):
    assert real_author(author) == author


def test_pdf_form_field_values_are_read():
    words = " ".join(f"palabra{n}" for n in range(100))
    got = extract_bytes(pdf_bytes(["Formulario"], form={"Resumen": words}), "form.pdf")
    assert f"Resumen: {words}" in got.text


# -- files that are not files ------------------------------------------------------------------


def test_fifo_is_refused_without_blocking(kb, tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    with pytest.raises(ExtractError, match="named pipe"):
        read_limited(fifo)
    report = ingest_paths(kb, [fifo])
    assert report.skipped == [(str(fifo), "not a regular file (a named pipe); refused")]


def test_symlinks_leaving_the_folder_are_not_followed(kb, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("---\nid: secret\n---\nPrivate notes about seals.\n")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD_MD)
    (folder / "inner.md").symlink_to(folder / "good.md")
    (folder / "leak.md").symlink_to(outside)
    (folder / "up").symlink_to(tmp_path)
    report = ingest_paths(kb, [folder])
    assert kb.get("secret") is None
    assert sorted(where for where, _ in report.skipped) == [str(folder / "leak.md"), str(folder / "up")]


# -- bad records: per file, per line, per message ----------------------------------------------


def export(messages: list, *, guild: str = "900", channel_type: str = "GuildTextChat") -> str:
    return json.dumps(
        {
            "guild": {"id": guild, "name": "G"},
            "channel": {"id": "700", "type": channel_type, "name": "experiencias"},
            "messages": messages,
        }
    )


def message(mid: str, content: str = "Probamos precintos electrónicos", **extra) -> dict:
    base = {
        "id": mid,
        "type": "Default",
        "timestamp": "2023-03-01T10:00:00+00:00",
        "content": content,
        "author": {"id": "11", "name": "ana", "isBot": False},
    }
    return {**base, **extra}


def test_every_bad_file_is_skipped_with_its_reason_and_the_rest_go_in(kb, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.md").write_text(GOOD_MD)
    (src / "offset.md").write_text("---\ndate: 2022-01-01T10:00:00+25:00\n---\nSeals at the border.\n")
    (src / "techs.md").write_text("---\ntechnologies: 5\n---\nSeals at the border.\n")
    (src / "latin1.jsonl").write_bytes(
        json.dumps({"id": "l1", "text": "Aduana"}, ensure_ascii=False)
        .encode()
        .replace(b"Aduana", "Inspección aduanera".encode("latin-1"))
    )
    (src / "utf16.jsonl").write_bytes(json.dumps({"id": "u1", "text": "Precintos"}).encode("utf-16"))
    (src / "string-author.json").write_text(export([message("1", author="bob"), message("2")]))
    (src / "numbers.json").write_text(export([1, 2, message("3")]))
    (src / "no-id.json").write_text(
        export([{k: v for k, v in message("4").items() if k != "id"}, message("5")])
    )
    (src / "bad-time.json").write_text(
        export([message("6"), message("7", timestamp="yesterday"), message("8")])
    )
    report = ingest_paths(kb, [src])
    for doc_id in ("good", "l1", "u1", "discord-2", "discord-3", "discord-5", "discord-6", "discord-8"):
        assert kb.get(doc_id) is not None, doc_id
    assert kb.get("l1").text == "Inspección aduanera"
    reasons = {where.removeprefix(str(src) + "/"): why for where, why in report.skipped}
    assert reasons == {
        "offset.md": "date '2022-01-01T10:00:00+25:00' has a UTC offset beyond ±14:00",
        "techs.md": "technologies must be a list such as [blockchain, iot], not 5",
        "string-author.json: message 1": "author must be an object, not 'bob'",
        "numbers.json: message #1": "not a message object (1)",
        "numbers.json: message #2": "not a message object (2)",
        "no-id.json: message #1": "no valid message id",
        "bad-time.json: message 7": "date 'yesterday' is not a date (write it like 2022-04-20)",
    }


def test_an_over_long_json_line_is_skipped_without_reading_it_whole(kb, tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("w") as fh:
        fh.write(json.dumps({"id": "big", "text": "x" * (5 * 1024 * 1024)}) + "\n")
        fh.write(json.dumps({"id": "after", "text": "Precintos electrónicos"}) + "\n")
    report = ingest_paths(kb, [path])
    assert kb.get("after") is not None and kb.get("big") is None
    assert report.skipped == [(f"{path}:1", "line over the 4 MB limit for one record")]


def test_export_over_the_file_cap_is_refused(kb, tmp_path):
    path = tmp_path / "chan.json"
    path.write_text(export([message(str(n)) for n in range(1, 50)]))
    report = ingest_paths(kb, [path], max_stream_bytes=1000)
    assert report.added == 0 and "over the 0 MB limit" in report.skipped[0][1]


def test_exports_keep_forwards_attachments_and_embeds_and_link_dms_with_at_me(kb, tmp_path):
    messages = [
        message("1", "", forwardedMessage={"content": "Reenviado: precintos en Paraguay", "attachments": []}),
        message("2", "", attachments=[{"id": "9", "fileName": "informe-precintos.pdf"}]),
        message("3", "mirad", embeds=[{"title": "Blockchain para OEA", "description": "Piloto regional"}]),
    ]
    path = tmp_path / "dm.json"
    path.write_text(export(messages, guild="0", channel_type="DirectGroupTextChat"))
    report = ingest_paths(kb, [path])
    assert report.added == 3 and report.skipped == []
    assert kb.get("discord-1").text == "Reenviado: precintos en Paraguay"
    assert kb.get("discord-2").text == "informe-precintos.pdf"
    assert kb.get("discord-3").text == "mirad\nBlockchain para OEA\nPiloto regional"
    assert kb.get("discord-1").url == "https://discord.com/channels/@me/700/1"
    assert report.notes == [
        f"{path}: kept 1 forwarded messages, 1 messages with only attachments or embeds",
    ]


def test_document_dates_are_range_checked():
    from index.ingest import document_date

    for bad in ("0001-01-01", "9999-12-31", "2022-01-01T10:00+15:00", 5, ["2022"]):
        with pytest.raises(InputError):
            document_date(bad, "f.md")
    assert document_date("2022-04-20T10:00:00-05:00", "f.md").utcoffset().total_seconds() == -5 * 3600


def test_cli_add_of_a_missing_path_is_an_error(tmp_path, capsys):
    from bot.cli import main

    good = tmp_path / "good.md"
    good.write_text(GOOD_MD)
    status = main(["--data-dir", str(tmp_path / "var"), "index", "add", str(good), str(tmp_path / "nope.md")])
    assert status == 2
    assert (
        capsys.readouterr().err.strip() == f"clikc-bot: {tmp_path / 'nope.md'}: not found; nothing was added"
    )
