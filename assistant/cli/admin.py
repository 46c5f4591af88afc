"""The operations commands of `report-assistant`: migrate (the embedded library to PostgreSQL)."""

from __future__ import annotations

import argparse

from assistant.cli.registry import JSON_FLAG, arg, command, error, print_json, table


@command("migrate", "copy the embedded library (--index) into PostgreSQL and compare the two",
         arg("--to", required=True, metavar="postgresql://…", help="the database to copy into"),
         JSON_FLAG)
def migrate_cmd(args: argparse.Namespace) -> int:
    """Copy, then counts and sampled searches side by side; 1 unless nothing was lost."""
    from assistant.cli.caller import check_manager
    from assistant.index.backend import PG_SCHEMES
    from assistant.index.index import Index
    from assistant.maintenance.migrate import migrate

    if not args.to.startswith(PG_SCHEMES):
        error("--to", "应为以 postgresql:// 开头的数据库地址")
        return 2
    check_manager(args, Index(args.index))
    result = migrate(args.index, args.to)
    if args.json:
        print_json(result.to_dict())
    else:
        keys = list(result.source)
        print(table(["", *keys], [["embedded", *(result.source[k] for k in keys)],
                                  ["postgresql", *(result.target.get(k, 0) for k in keys)]]))
        print(f"\n{len(result.copied)} files copied, {len(result.skipped)} already there; "
              f"{result.same_top}/{result.searches} sampled searches find the same best passage, "
              f"{result.same_list}/{result.searches} the same top 10")
    if not result.lossless:
        error("migrate", "迁移后两个资料库不一致：见上面的数量和检索对比")
    return 0 if result.lossless else 1
