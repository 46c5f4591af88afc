"""Saved web pages: the article with its headings, without the page around it."""

from __future__ import annotations

from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from assistant.ingest.load import load_file
from assistant.ingest.reports import parse_file

# A county site's article page as browsers save it: header links, menu, breadcrumb, byline,
# share bar, print/close links, a related-links list and a footer around the article. The
# page declares gb2312 and, as such pages do, holds a character only GBK has (堃).
PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>县民政局2023年工作总结_县人民政府门户网站</title></head>
<body>
<div class="header"><a href="/">首页</a> <a href="/zwgk">政务公开</a> <a href="/bsfw">办事服务</a></div>
<div class="nav"><ul><li><a href="/">网站首页</a></li><li><a href="/xxgk">信息公开</a></li>
<li><a href="/zcjd">政策解读</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 工作总结</div>
<div class="article">
<h1>县民政局2023年工作总结</h1>
<div class="info">发布时间：2024-01-15 来源：县民政局 浏览次数：1024</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
<div class="content">
<p>2023年，县民政局在王堃局长带领下围绕兜底保障、养老服务和社会事务开展工作，现将有关情况报告如下。</p>
<h2>一、2023年工作成效</h2>
<h3>（一）社会救助兜底有力</h3>
<p>全年发放城乡低保金1260万元，临时救助困难群众430人次，救助及时率100%。</p>
<h3>（二）养老服务提质扩面</h3>
<p>新建村级老年食堂12个，改造敬老院3所，<br>新增养老床位210张。</p>
<table><tr><td>项目</td><td>数量</td></tr><tr><td>老年食堂</td><td>12个</td></tr></table>
<h2>二、存在的问题</h2>
<p>基层民政力量薄弱，专业社工人才不足。</p>
</div>
<div class="print"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
<div class="related"><h4>相关链接</h4><ul>
<li><a href="/a1">县财政局2023年工作总结</a></li><li><a href="/a2">县教育局2023年工作总结</a></li>
<li><a href="/a3">关于做好2024年春节期间困难群众帮扶工作的通知</a></li></ul></div>
<div class="footer">主办单位：县人民政府办公室 地址：县府路1号 电话：0000-1234567 备案号：ICP备00000000号</div>
</body></html>
"""
ARTICLE = [
    ("县民政局2023年工作总结", "Title"),
    ("2023年，县民政局在王堃局长带领下围绕兜底保障、养老服务和社会事务开展工作，现将有关情况报告如下。", ""),
    ("一、2023年工作成效", "Heading 2"),
    ("（一）社会救助兜底有力", "Heading 3"),
    ("全年发放城乡低保金1260万元，临时救助困难群众430人次，救助及时率100%。", ""),
    ("（二）养老服务提质扩面", "Heading 3"),
    ("新建村级老年食堂12个，改造敬老院3所，", ""),
    ("新增养老床位210张。", ""),
    ("项目 | 数量", "table"),
    ("老年食堂 | 12个", "table"),
    ("二、存在的问题", "Heading 2"),
    ("基层民政力量薄弱，专业社工人才不足。", ""),
]
CHROME = ["首页", "分享到", "微信", "打印本页", "相关链接", "县财政局", "主办单位", "当前位置", "浏览次数"]


def lines_of(path):
    return [(line.text, line.style) for line in load_file(path).lines]


def test_saved_page_yields_only_the_article_with_its_headings(tmp_path):
    path = tmp_path / "民政局.html"
    path.write_bytes(PAGE.encode("gbk"))
    assert lines_of(path) == ARTICLE
    text = "\n".join(t for t, _ in ARTICLE)
    assert not [word for word in CHROME if word in text]
    [report] = parse_file(load_file(path))
    assert (report.title, report.org, report.kind) == ("县民政局2023年工作总结", "县民政局", "总结")
    assert [(s.level, s.path[-1], s.role) for s in report.walk()] == [
        (1, "一、2023年工作成效", "summary"),
        (2, "（一）社会救助兜底有力", "summary"),
        (2, "（二）养老服务提质扩面", "summary"),
        (1, "二、存在的问题", "problem"),
    ]


def test_mhtml_gives_the_same_article(tmp_path):
    archive = MIMEMultipart("related", type="text/html")
    archive["Snapshot-Content-Location"] = "http://www.example.gov.cn/zwgk/2024/01/15/1.html"
    html = MIMEText(PAGE.replace("gb2312", "utf-8"), "html", "utf-8")  # base64, charset in the part
    html["Content-Location"] = "http://www.example.gov.cn/zwgk/2024/01/15/1.html"
    archive.attach(html)
    archive.attach(MIMEImage(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "gif"))
    path = tmp_path / "民政局.mhtml"
    path.write_bytes(archive.as_bytes())
    assert lines_of(path) == ARTICLE


def test_a_wrong_declaration_falls_back_to_detection(tmp_path):
    path = tmp_path / "wrong.htm"
    path.write_bytes(PAGE.replace("gb2312", "utf-8").encode("gb18030"))  # says utf-8, is GBK
    assert lines_of(path) == ARTICLE
