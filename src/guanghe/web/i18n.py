"""Labels in Chinese and English: one table, key → (zh, en). The language is the ``lang`` cookie (set by
``?lang=en`` / ``?lang=zh`` on any page), else the browser's ``Accept-Language``, else Chinese.

Pages add their own labels with ``LABELS.update(...)`` in their module (keys prefixed by the page's room)."""

from __future__ import annotations

from starlette.requests import Request

LANGS = ("zh", "en")
COOKIE = "lang"

LABELS: dict[str, tuple[str, str]] = {
    "app": ("光合", "Guanghe"),
    "app_tagline": ("创作者成长引擎", "Creator growth engine"),
    "login": ("登录", "Sign in"),
    "logout": ("退出", "Sign out"),
    "login_name": ("登录名", "Login"),
    "password": ("密码", "Password"),
    "login_failed": ("登录名或密码错误", "Wrong login or password"),
    "login_limited": ("尝试次数过多，请稍后再试", "Too many attempts: try again later"),
    "login_expired": ("页面已过期，请重试", "The form expired: please try again"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "role_creator": ("创作者", "Creator"),
    "role_brand": ("品牌", "Brand"),
    "role_mcn": ("MCN 机构", "MCN agency"),
    "role_operator": ("运营", "Operator"),
    "error": ("出错了", "Something went wrong"),
    "error_403": ("无权访问", "Not allowed"),
    "error_404": ("未找到", "Not found"),
    "error_back": ("返回首页", "Back to the start"),
    "not_available": ("暂未开放", "Not available yet"),
    "none_yet": ("暂无", "None yet"),
    "language": ("语言", "Language"),
    "skip_to_content": ("跳到正文", "Skip to content"),
    "main_nav": ("主导航", "Main navigation"),
    "submit": ("提交", "Submit"),
    "as_of": ("数据截至", "Data as of"),
    "yuan": ("元", "yuan"),
    "nav_overview": ("概览", "Overview"),
    "nav_income": ("收入", "Income"),
    "nav_tasks": ("任务", "Tasks"),
    "nav_offers": ("品牌合作", "Brand offers"),
    "nav_originality": ("原创", "Originality"),
    "nav_campaigns": ("营销活动", "Campaigns"),
    "nav_discover": ("发现创作者", "Find creators"),
    "nav_orders": ("订单", "Orders"),
    "nav_reports": ("投放报告", "Reports"),
    "nav_mcn_creators": ("签约创作者", "Signed creators"),
    "operator_console": ("运营后台", "Operator console"),
    "operator_soon": ("运营后台正在建设中。", "The operator console is being built."),
}


def lang_of(request: Request) -> str:
    """The page's language: ``?lang=``, the cookie, ``Accept-Language``, Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE)
    if asked in LANGS:
        return asked  # type: ignore[return-value]
    accept = request.headers.get("accept-language", "").lower()
    if accept.startswith("en"):
        return "en"
    return "zh"


def translator(lang: str):
    """``t(key)`` for a language; an unknown key is shown as itself (a missing label is visible, not fatal)."""
    i = LANGS.index(lang)

    def t(key: str) -> str:
        pair = LABELS.get(key)
        return pair[i] if pair else key

    return t
