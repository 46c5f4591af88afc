"""The heading grammar: ranks, full/half-width equivalence, inline headings, non-headings."""

import pytest

from assistant.ingest.headings import parse_heading


@pytest.mark.parametrize(
    ("line", "rank", "marker", "title", "rest"),
    [
        ("一、2023年工作总结", 1, "一、", "2023年工作总结", ""),
        ("十一、其他工作", 1, "十一、", "其他工作", ""),
        ("（一）党建引领，夯实阵地。", 2, "（一）", "党建引领，夯实阵地", ""),
        ("(一)党建引领,夯实建功主阵地。", 2, "(一)", "党建引领,夯实建功主阵地", ""),
        ("（十一）现代服务业产业链招商。XX县现代服务", 2, "（十一）", "现代服务业产业链招商", "XX县现代服务"),
        ("（一）文化事业服务效能稳步提升。一是市级图书馆", 2, "（一）", "文化事业服务效能稳步提升", "一是市级图书馆"),
        ("1.财政收支运行平稳。建立财政收入调度机制", 3, "1.", "财政收支运行平稳", "建立财政收入调度机制"),
        ("1．推进社会救助体系建设", 3, "1．", "推进社会救助体系建设", ""),
        ("１、残疾预防", 3, "１、", "残疾预防", ""),
        ("2.D风廉政建设及作风建设：", 3, "2.", "D风廉政建设及作风建设", ""),
        ("（一）社会消费品零售总额：前三季度，全县", 2, "（一）", "社会消费品零售总额", "前三季度，全县"),
        ("（1）做好汛前检查", 4, "（1）", "做好汛前检查", ""),
        ("(2)强化值守", 4, "(2)", "强化值守", ""),
        ("①加强组织领导", 5, "①", "加强组织领导", ""),
        ("第二部分 工作计划", 0.5, "第二部分", "工作计划", ""),
    ],
)
def test_headings_are_recognised(line, rank, marker, title, rest):
    heading = parse_heading(line)
    assert heading is not None
    assert (heading.rank, heading.marker, heading.title, heading.rest) == (rank, marker, title, rest)


@pytest.mark.parametrize(
    "line",
    [
        "一是抓实理论学习。",
        "第一，要加强学习。",
        "1.5万元用于困难群众救助",
        "2023年1-9月，实现销售额",
        "1-11月份，累计入库税收XX万元",
        "一、",
        "抓项目求质效，经济发展有活力。",
    ],
)
def test_body_lines_are_not_headings(line):
    assert parse_heading(line) is None


def test_long_numbered_paragraph_takes_its_first_clause_as_heading():
    line = "2.继续发展农村电子商务，加强宣传，积极寻找实力强、信誉好的电商企业合作，拓展农产品上行渠道，带动农民增收致富，推动县域电商高质量发展"
    heading = parse_heading(line)
    assert heading is not None
    assert heading.title == "继续发展农村电子商务"
    assert heading.rest.startswith("继续发展农村电子商务，加强宣传")
