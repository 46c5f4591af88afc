"""The app's accounts: the 资料库 tab's controls for users who may write, and the 用户 tab of
a 管理员 (which user a request comes from and what it may see: ui/viewer.py). Every check is
made on the server for each event: a control hidden from a 读者 is never the only guard."""

from __future__ import annotations

import gradio as gr

from assistant import accounts
from assistant.accounts import AccountError, UserRole
from assistant.index.index import CallerIndex, Index
from assistant.models import DEFAULT_LIBRARY
from assistant.ui.viewer import Viewer

USER_HEADERS = ["用户", "角色", "资料库"]
LIBRARY_HEADERS = ["资料库", "报告数", "可读用户"]


def upload_library(index: Index | CallerIndex, chosen: str | None) -> str:
    """The library an upload goes into: the chosen one, else the user's first writable one
    (the default library in the single-user mode); the ingest refuses one it may not write."""
    if index.writable is None:
        return chosen or DEFAULT_LIBRARY
    return chosen if chosen else min(index.writable, default=DEFAULT_LIBRARY)


def writer_controls(seen: Viewer, request: gr.Request | None, chosen: str | None) -> tuple:
    """The 资料库 tab's account line, library picker, upload row and removal group: the upload
    and removal controls only for a user who may write (all of them in the single-user mode)."""
    if not seen.accounts:
        return "", gr.Dropdown(visible=False), gr.Row(visible=True), gr.Group(visible=True)
    account = seen.user(request)
    if account is None:
        return ("请先登录。", gr.Dropdown(visible=False), gr.Row(visible=False),
                gr.Group(visible=False))
    counts = {shelf.name: shelf.reports for shelf in accounts.libraries(seen.index.store)}
    mine = "、".join(f"{name}（{counts.get(name, 0)} 篇）" for name in sorted(account.libraries))
    line = (f"**当前用户**：{account.name}（{account.role.value}）　**我的资料库**："
            f"{mine or '（尚未授权任何资料库，请联系管理员）'}")
    writable = sorted(account.writable)
    value = chosen if chosen in writable else (writable[0] if writable else None)
    return (line, gr.Dropdown(choices=writable, value=value, visible=bool(writable)),
            gr.Row(visible=bool(writable)), gr.Group(visible=bool(writable)))


def _tables(index: Index) -> tuple[list[list[str]], list[list[object]], list[str], list[str]]:
    """The users' and libraries' rows, and the names for the pickers."""
    everyone = accounts.users(index.store)
    users = [[u.name, u.role.value, "、".join(sorted(u.libraries))] for u in everyone]
    shelves = accounts.libraries(index.store)
    libraries = [[shelf.name, shelf.reports, "、".join(shelf.users)] for shelf in shelves]
    return users, libraries, [u.name for u in everyone], [shelf.name for shelf in shelves]


def build(seen: Viewer) -> list:
    """The 用户 tab's controls (built hidden; admin_view shows them to a 管理员); returns the
    components every change refreshes."""
    users = gr.Dataframe(headers=USER_HEADERS, label="用户", elem_id="users", interactive=False)
    shelves = gr.Dataframe(headers=LIBRARY_HEADERS, label="资料库", elem_id="libraries",
                           interactive=False)
    with gr.Row():
        name = gr.Textbox(label="新用户名", elem_id="new-user")
        role = gr.Dropdown([r.value for r in UserRole], value=UserRole.READER.value, label="角色",
                           elem_id="new-role")
        password = gr.Textbox(label="初始密码（至少 8 个字符）", type="password",
                              elem_id="new-password")
        add = gr.Button("添加用户", elem_id="add-user")
    with gr.Row():
        who = gr.Dropdown([], label="用户", elem_id="grant-user")
        shelf = gr.Dropdown([], label="资料库", elem_id="grant-library")
        give = gr.Button("授权", elem_id="grant")
        take = gr.Button("撤销授权", elem_id="revoke")
        drop = gr.Button("删除用户", variant="stop", elem_id="remove-user")
    with gr.Row():
        new_shelf = gr.Textbox(label="新资料库名（如 办公室、民政科）", elem_id="new-library")
        make = gr.Button("新建资料库", elem_id="add-library")
    said = gr.Markdown(elem_id="accounts-said")
    views = [users, shelves, who, shelf]

    def done(message: str) -> tuple:
        rows, libraries, names, shelf_names = _tables(seen.index)
        return (message, rows, libraries, gr.Dropdown(choices=names), gr.Dropdown(choices=shelf_names))

    def run(request: gr.Request | None, action, success: str) -> tuple:
        """An account change by a 管理员 (checked here, whatever the page showed)."""
        account = seen.user(request)
        if account is None or not account.manages:
            return done("只有管理员能管理用户和资料库。")
        try:
            action()
        except AccountError as exc:
            return done(exc.message)
        return done(success)

    def added(n, r, p, request: gr.Request):
        return run(request, lambda: accounts.add_user(seen.index.store, n, r, p or ""),
                   f"已添加{r}“{n}”。") + ("",)

    def granted(u, lib, request: gr.Request):
        return run(request, lambda: accounts.grant(seen.index.store, lib or "", u or ""),
                   f"已授权“{u}”读取资料库“{lib}”。")

    def revoked(u, lib, request: gr.Request):
        return run(request, lambda: accounts.revoke(seen.index.store, lib or "", u or ""),
                   f"已撤销“{u}”对资料库“{lib}”的授权。")

    def removed(u, request: gr.Request):
        return run(request, lambda: accounts.remove_user(seen.index.store, u or ""),
                   f"已删除用户“{u}”。")

    def made(n, request: gr.Request):
        return run(request, lambda: accounts.add_library(seen.index.store, n),
                   f"已新建资料库“{n}”。")

    outputs = [said, *views]
    add.click(added, [name, role, password], [*outputs, password], api_visibility="private")
    give.click(granted, [who, shelf], outputs, api_visibility="private")
    take.click(revoked, [who, shelf], outputs, api_visibility="private")
    drop.click(removed, [who], outputs, api_visibility="private")
    make.click(made, [new_shelf], outputs, api_visibility="private")
    return views


def admin_view(seen: Viewer, request: gr.Request | None) -> tuple:
    """The 用户 tab shown (with its tables) to a 管理员 only."""
    account = seen.user(request) if seen.accounts else None
    if account is None or not account.manages:
        return gr.Tab(visible=False), [], [], gr.Dropdown(choices=[]), gr.Dropdown(choices=[])
    rows, libraries, names, shelf_names = _tables(seen.index)
    return (gr.Tab(visible=True), rows, libraries, gr.Dropdown(choices=names),
            gr.Dropdown(choices=shelf_names))
