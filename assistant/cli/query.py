"""The question commands of `report-assistant`: search, ask and eval (registered into cli)."""

from __future__ import annotations

import argparse

from assistant.cli.registry import JSON_FLAG, arg, command, error, print_json, say
from assistant.models import Role

FILTER_ARGS = (
    arg("--level", action="append", help="乡/镇/街道/县/区/市/省 (repeatable)"),
    arg("--department", action="append", help="department kind such as 财政 民政 (repeatable)"),
    arg("--role", action="append", choices=[Role.SUMMARY, Role.HIGHLIGHT, Role.PROBLEM, Role.PLAN, Role.OTHER]),
    arg("--period", action="append", help="e.g. 2023年度, 上半年"),
    arg("--kind", action="append", help="总结 / 计划 / 总结+计划"),
)


def filters_of(args: argparse.Namespace):
    """The hard filters given on the command line."""
    from assistant.answer.query import Filters

    return Filters(
        level=tuple(args.level or ()),
        department=tuple(args.department or ()),
        role=tuple(args.role or ()),
        period=tuple(args.period or ()),
        kind=tuple(args.kind or ()),
    )


def run_on_index(args: argparse.Namespace, call):
    """(index, call(index)); a bad question or a mismatched index raises AssistantError, which
    the entry point prints as one line."""
    from assistant.cli.caller import index_for

    index = index_for(args)
    return index, call(index)


@command("search", "ranked passages for a question", arg("question"),
         arg("-k", type=int, default=10, help="number of passages (default 10)"), *FILTER_ARGS, JSON_FLAG)
def search_cmd(args: argparse.Namespace) -> int:
    """Print the ranked passages (or the DESIGN JSON list)."""
    from assistant.answer.compose import check_question
    from assistant.answer.retrieve import hit_to_dict, search

    index, hits = run_on_index(
        args, lambda ix: search(ix, check_question(args.question), k=args.k, filters=filters_of(args))
    )
    rows = [hit_to_dict(index, hit, rank) for rank, hit in enumerate(hits, 1)]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        say(f"[{row['rank']}] {row['report_title']} › {' › '.join(row['section_path'])}  ({row['score']:.4f})")
        say(f"    {row['text'][:200].replace(chr(10), ' ')}")
    return 0


@command("ask", "answer a question with cited passages", arg("question"), *FILTER_ARGS, JSON_FLAG)
def ask_cmd(args: argparse.Namespace) -> int:
    """Print the cited answer (or DESIGN's ask JSON)."""
    from assistant.answer.result import ask

    _, shaped = run_on_index(args, lambda ix: ask(ix, args.question, filters=filters_of(args)))
    if args.json:
        print_json(shaped.data)
        return 0
    result = shaped.answer
    if result.notice:
        say(f"（{result.notice}）")
    say(result.text)
    for c in result.citations:
        say(f"\n[{c.n}] {c.hit.chunk.report_title} › {' › '.join(c.hit.chunk.section_path)}")
    return 0


@command("eval", "retrieval metrics on a question file (JSON Lines)", arg("--qa", required=True),
         arg("-k", type=int, default=5, help="cut-off for recall (default 5)"),
         arg("--answers", action="store_true",
             help="also answer every question: share with all citations resolving, latency"),
         JSON_FLAG)
def eval_cmd(args: argparse.Namespace) -> int:
    """recall@k, mrr@10, abstention rates, by question type."""
    from assistant.answer.evaluate import answer_checks, load_qa, run_eval

    try:
        items = load_qa(args.qa)
    except (OSError, ValueError) as exc:
        error(args.qa, exc)
        return 1
    def run(ix):
        result = run_eval(ix, items, k=args.k)
        return {**result, "answers": answer_checks(ix, items)} if args.answers else result

    _, result = run_on_index(args, run)
    if args.json:
        print_json(result)
        return 0
    say(f"n={result['n']}  recall@{args.k}={result['recall@k']:.3f}  mrr@10={result['mrr@10']:.3f}  "
          f"abstain_rate={result['abstain_rate']}  false_abstain_rate={result['false_abstain_rate']}")
    for kind, block in result["by_type"].items():
        say(f"  {kind:<14} n={block['n']:<4} recall@k={block['recall@k']}  mrr@10={block['mrr@10']}")
    if "answers" in result:
        say("answers: " + "  ".join(f"{k}={v:.3f}" for k, v in result["answers"].items()))
    return 0
