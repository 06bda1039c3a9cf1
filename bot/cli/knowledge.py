"""`index add|remove|rebuild|check|stats` and `ask`: the knowledge base from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from bot.app import App
from bot.search.filters import build_filters
from bot.terminal.answers import render_answer
from bot.text.stats import stats_lines
from index.bulk_ingest import AUTO
from index.documents import DOC_TYPES, KINDS, LANGUAGES, TECHNOLOGIES, Filters
from index.errors import InputError
from index.ingest import IngestReport, ingest_paths


def register(sub: argparse._SubParsersAction) -> None:
    idx = sub.add_parser("index", help="add documents, rebuild the search index, show statistics")
    idx_sub = idx.add_subparsers(dest="index_command", metavar="ACTION", required=True)

    add = idx_sub.add_parser(
        "add", help="ingest files or folders (.md .txt .pdf .docx .jsonl, Discord export .json)"
    )
    add.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    add.add_argument("--json", action="store_true", help="print the summary as JSON")
    add.add_argument("--kind", choices=KINDS, help="kind for files that do not say (default: post)")
    add.add_argument("--author", help="author for files that do not say")
    add.add_argument(
        "--publish",
        action="store_true",
        help="also post each document to the Discord library channel (queued; the running bot posts it)",
    )
    add.add_argument(
        "--workers",
        type=_workers,
        default=AUTO,
        metavar="N",
        help="analyse a long import (2,000 documents or more) in N worker processes (default auto: one"
        " per core, at most 2; 0: in this process, less memory)",
    )
    add.set_defaults(handler=index_add)

    rebuild = idx_sub.add_parser("rebuild", help="rebuild the search index from the database")
    rebuild.set_defaults(handler=index_rebuild, index_access="check")  # opened as it is, then rebuilt

    check = idx_sub.add_parser("check", help="verify the search index against the database (writes nothing)")
    check.set_defaults(handler=index_check, index_access="check")

    remove = idx_sub.add_parser(
        "remove", help="delete documents from the database and the search index, by id, kind or source"
    )
    remove.add_argument("ids", nargs="*", metavar="ID", help="document ids, as shown under each answer")
    remove.add_argument("--kind", choices=KINDS, help="every document of this kind")
    remove.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="PATH",
        help="every document added from this file or folder (or Discord channel, as #name); repeatable",
    )
    remove.add_argument("--sample", action="store_true", help="every sample document seeded for the demo")
    remove.set_defaults(handler=index_remove)

    stats = idx_sub.add_parser("stats", help="documents by kind, language and technology")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=index_stats, index_access="read")

    ask = sub.add_parser("ask", help="ask a question in any of the four languages")
    ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    ask.add_argument("--limit", type=int, default=None, help="number of answers (default from config)")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--batch", type=Path, metavar="FILE", help="one question per line; JSON lines out")
    add_filter_arguments(ask)
    ask.set_defaults(handler=ask_command, index_access="read")


def _workers(value: str) -> int | str:
    """`--workers`: "auto" or a number of processes, 0 or more; anything else is refused by argparse
    with one line."""
    if value == AUTO:
        return AUTO
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'auto' or a number, got {value!r}") from None
    if count < 0:
        raise argparse.ArgumentTypeError(f"expected 'auto' or 0 or more, got {count}")
    return count


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--technology", choices=TECHNOLOGIES)
    parser.add_argument("--kind", choices=KINDS)
    parser.add_argument("--type", choices=DOC_TYPES, dest="doc_type", help="what the document is")
    parser.add_argument("--author", help="exact author or administration name")
    parser.add_argument("--lang", choices=LANGUAGES, help="language of the documents")
    parser.add_argument("--country", help="country code or name, e.g. PE or Perú")
    parser.add_argument("--since", help="date, e.g. 2022-01-01")
    parser.add_argument("--until", help="date, e.g. 2023-12-31")


FILTER_OPTIONS = ("technology", "kind", "doc_type", "author", "lang", "country", "since", "until")


def filters_from(args: argparse.Namespace) -> Filters:
    values = {name: getattr(args, name) for name in FILTER_OPTIONS}
    return build_filters(**values, date_labels=("--since", "--until"))


def index_add(args: argparse.Namespace, app: App) -> int:
    missing = [str(path) for path in args.paths if not path.exists() and not path.is_symlink()]
    if missing:
        raise InputError(f"{', '.join(missing)}: not found; nothing was added")
    ingest = app.config.settings.ingest
    defaults = {key: value for key in ("kind", "author") if (value := getattr(args, key))}
    report = ingest_paths(
        app.knowledge,
        args.paths,
        max_file_bytes=int(ingest.max_file_mb * 1024 * 1024),
        max_stream_bytes=int(ingest.max_export_mb * 1024 * 1024),
        progress=sys.stderr.isatty(),
        defaults=defaults,
        limits=ingest.work_limits(),
        section_chars=ingest.section_chars,
        section_labels=app.section_labels,
        workers=args.workers,
    )
    if report.opted_out:
        report.notes.append(f"{report.opted_out} document(s) by members who opted out were not indexed")
    pending = app.knowledge.store.pending_count()
    if pending:
        report.notes.append(
            f"{pending} change(s) are saved but not searchable yet: another process (the running bot?) "
            "is writing the search index; they are indexed by its next write or the next command"
        )
    published, left_out = _publish(app, args.paths) if args.publish else (None, 0)
    if not args.publish:  # a published document added again with new content: its post follows
        sources = [variant for path in args.paths for variant in _source_variants(str(path))]
        app.library_posts.refresh_changed(app.knowledge.ids_matching(sources=sources))
    if args.json:
        data = report.to_json()
        if published is not None:
            data["published"] = published
            data["not_published"] = left_out
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        if published is not None:
            report.notes.append(
                f"{len(published)} document(s) queued for the Discord library channel: the running bot"
                " posts them within a minute (or when it next starts)"
                + (f"; {left_out} member post(s) or section(s) are not posted alone" if left_out else "")
            )
        print(
            f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
            f"skipped {_skipped_summary(report)}"
        )
        for note in report.notes:
            print(f"  note: {note}")
        for where, why in report.skipped:
            print(f"  skipped {where}: {why}")
        unlisted = report.skipped_total - len(report.skipped)
        if unlisted:
            print(f"  … and {unlisted:,} more skipped (the first {len(report.skipped)} are listed)")
    return 1 if report.skipped else 0  # scripts can tell that something was left out


def _skipped_summary(report: IngestReport) -> str:
    """ "3" or "1,204 (1 file, 1,203 messages)": what was skipped, by kind, when there is more than one."""
    total = report.skipped_total
    counts = sorted(report.skipped_counts.items())
    if total == 0 or (len(counts) == 1 and counts[0][0] == "file"):
        return f"{total:,}"
    return f"{total:,} (" + ", ".join(f"{n:,} {what}{'s' if n != 1 else ''}" for what, n in counts) + ")"


def _publish(app: App, paths: list[Path]) -> tuple[list[str], int]:
    """Queue the documents of these files (added now or before) to be posted; a long one is posted
    once, not per section, and members' Discord posts are left out. Returns (queued, left out)."""
    sources = [variant for path in paths for variant in _source_variants(str(path))]
    ids = app.knowledge.ids_matching(sources=sources)
    ok, refused = app.library_posts.publishable(ids)
    return app.library_posts.publish(ok), len(refused)


def index_remove(args: argparse.Namespace, app: App) -> int:
    """Ids must all exist (else nothing is removed); --kind/--source/--sample must match something."""
    criteria = args.kind is not None or bool(args.source) or args.sample
    if args.ids and criteria:
        raise InputError("index remove: give document ids, or --kind/--source/--sample, not both")
    if not args.ids and not criteria:
        raise InputError("index remove: name the documents: ID..., --kind KIND, --source PATH or --sample")
    kb = app.knowledge
    if args.ids:
        ids = list(dict.fromkeys(args.ids))
        existing = kb.existing_ids(ids)
        unknown = [doc_id for doc_id in ids if doc_id not in existing]
        if unknown:
            raise InputError(f"index remove: no document with id {', '.join(unknown)}; nothing removed")
    else:
        sources = [variant for source in args.source for variant in _source_variants(source)]
        ids = kb.ids_matching(kind=args.kind, sources=sources, sample=args.sample)
        if not ids:
            raise InputError("index remove: no document matches; nothing removed")
    removed = kb.remove(ids)
    app.library_posts.unpublish(removed)  # a published one's library post goes too
    shown = ", ".join(removed[:10]) + (f" and {len(removed) - 10} more" if len(removed) > 10 else "")
    print(f"removed {len(removed)} document(s): {shown}")
    return 0


def _source_variants(source: str) -> list[str]:
    """A source as typed, absolute, and relative to here: `index add` stores paths the way they were given."""
    if source.startswith("#"):  # a Discord channel, as DiscordChatExporter files are recorded
        return [source]
    absolute = Path(source).resolve()
    variants = [source, str(absolute)]
    if absolute.is_relative_to(Path.cwd()):
        variants.append(str(absolute.relative_to(Path.cwd())))
    return list(dict.fromkeys(variants))


def index_rebuild(args: argparse.Namespace, app: App) -> int:
    with tqdm(unit="doc", disable=not sys.stderr.isatty(), leave=False) as bar:
        count = app.knowledge.rebuild(progress=bar.update)
    print(f"rebuilt the search index: {count} documents")
    return 0


def index_check(args: argparse.Namespace, app: App) -> int:
    """0 when the index is sound and agrees with the database, 1 (with each problem) otherwise."""
    report = app.knowledge.check()
    for fact in report.facts:
        print(fact)
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    if report.problems:
        print("the index needs repair: run `clikc-bot index rebuild`")
        return 1
    print("ok")
    return 0


def index_stats(args: argparse.Namespace, app: App) -> int:
    stats = app.knowledge.stats()
    if args.json:
        print(json.dumps(stats.to_json(), indent=2))
        return 0
    for line in stats_lines(stats):
        print(line)
    return 0


def ask_command(args: argparse.Namespace, app: App) -> int:
    limit = app.config.settings.search.default_limit if args.limit is None else args.limit
    if not 1 <= limit <= 100:
        raise InputError("--limit must be between 1 and 100")
    filters = filters_from(args)
    if args.batch:
        return _ask_batch(args.batch, app, filters, limit)
    if args.question is None:
        raise InputError('ask needs a question, for example: clikc-bot ask "blockchain or IoT"')
    answer = app.knowledge.search(args.question, filters, limit=limit)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        print(render_answer(answer))
    return 0


def _ask_batch(path: Path, app: App, filters: Filters, limit: int) -> int:
    """One JSON object per line, in order; a bad line gets an error object, not an abort."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    for line in lines:
        try:
            out = app.knowledge.search(line, filters, limit=limit).to_json()
        except InputError as exc:
            out = {"query": line, "error": str(exc), "results": [], "did_you_mean": None}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0
