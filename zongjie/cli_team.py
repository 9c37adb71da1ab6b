"""Team mode's commands: `zongjie user add|remove|reset|list`, `zongjie audit`, `zongjie team-check`.
Run on the server, as the user that runs the page, so they work on the same drafts database."""
from __future__ import annotations

import argparse
import getpass
import sys

from .accounts import AccountError, Accounts
from .audit import entries
from .store import Store
from .team import load_team_config


def add_commands(sub) -> None:
    user = sub.add_parser("user", help="团队模式的账户：添加、删除、重置密码、列出")
    actions = user.add_subparsers(dest="user_command", required=True)
    add = actions.add_parser("add", help="添加账户（密码交互输入，或从标准输入读一行）")
    add.add_argument("name", help="账户名")
    add.add_argument("--admin", action="store_true", help="管理员：可设置模型服务、管理共享范文库、查看操作记录")
    actions.add_parser("remove", help="删除账户（其草稿保留在草稿库中）").add_argument("name")
    actions.add_parser("reset", help="重置密码并解除锁定").add_argument("name")
    actions.add_parser("list", help="列出账户")
    log = sub.add_parser("audit", help="查看操作记录（谁在何时新建、导出、删除了哪份草稿；不含草稿内容）")
    log.add_argument("--user", default=None, help="只看该账户")
    log.add_argument("--limit", type=int, default=100, help="最多显示条数（默认 100）")
    sub.add_parser("team-check", help="团队模式能否启动：至少要有一个账户")


def run(args: argparse.Namespace) -> int:
    store = Store()
    accounts = Accounts(store)
    if args.command == "team-check":
        return team_check(accounts)
    if args.command == "audit":
        for e in entries(store, limit=args.limit, user=args.user):
            print(f"{e.when}\t{e.user}\t{e.label}\t{e.draft_id}\t{e.detail}")
        return 0
    if args.user_command == "list":
        for a in accounts.list():
            print(f"{a.name}\t{'管理员' if a.admin else '用户'}" + ("\t已锁定" if a.locked(accounts.clock()) else ""))
        return 0
    if args.user_command == "add":
        account = accounts.add(args.name, read_password(), admin=args.admin)
        print(f"已添加{'管理员' if account.admin else '账户'}“{account.name}”。", file=sys.stderr)
    elif args.user_command == "remove":
        accounts.remove(args.name)
        print(f"已删除账户“{args.name}”；其草稿仍在草稿库中，重新添加同名账户即可再次使用。", file=sys.stderr)
    elif args.user_command == "reset":
        if accounts.get(args.name) is None:  # before asking for a password that would go nowhere
            raise AccountError(f"没有名为“{args.name}”的账户。")
        accounts.reset(args.name, read_password())
        print(f"已重置“{args.name}”的密码，并解除锁定；已登录的页面需重新登录。", file=sys.stderr)
    return 0


def read_password() -> str:
    """Typed twice at a terminal (never echoed); one line from standard input in a script."""
    if sys.stdin.isatty():
        first = getpass.getpass("密码：")
        if getpass.getpass("再输入一次：") != first:
            raise AccountError("两次输入的密码不一致，未作更改。")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def team_check(accounts: Accounts) -> int:
    config = load_team_config()
    if accounts.count() == 0:
        print("错误：团队模式至少需要一个账户。请先运行 python -m zongjie user add 账户名 --admin", file=sys.stderr)
        return 1
    if not any(a.admin for a in accounts.list()):
        print("提示：还没有管理员账户，模型服务只能通过环境变量或设置文件配置。", file=sys.stderr)
    if config.team and not config.allowed_hosts:
        print("提示：未设置 ZONGJIE_ALLOWED_HOSTS，页面只接受通过 127.0.0.1 / localhost 的访问。", file=sys.stderr)
    print(f"团队模式可以启动：{accounts.count()} 个账户。", file=sys.stderr)
    return 0
