"""Tests for assistant.tokenize: normalisation (D → 党, full-width) and jieba terms."""

from __future__ import annotations

import pytest

from assistant.index.tokenize import get_tokenizer, normalize, stopwords, tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("加强D建工作", "加强党建工作"),
        ("乡D委书记", "乡党委书记"),
        ("全面从严治D。", "全面从严治党。"),
        ("入D积极分子", "入党积极分子"),
        ("学习贯彻D的二十大精神", "学习贯彻党的二十大精神"),
        ("（D委委员）", "（党委委员）"),
        ("“D建+信访”", "“党建+信访”"),
        ("临时D支部", "临时党支部"),
        (
            "D风廉政、D性教育、D史、D课、D内、D政机关、D工委",
            "党风廉政、党性教育、党史、党课、党内、党政机关、党工委",
        ),
        ("管D治D", "管党治党"),
    ],
)
def test_redacted_d_becomes_party(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "DNA检测",
        "外商直接投资(FDI)增长",
        "FDI增长",
        "3D打印",
        "身份证ID号",
        "GDP增长5%",
        "上传PDF文件",
        "C级、D级危房",
        "D类",
        "D 建",  # separated by a space: not adjacent to a Chinese character
        "Plan D",
        "D",
    ],
)
def test_d_outside_redaction_is_kept(text: str) -> None:
    # Only lower-casing applies: no D turned into 党.
    assert normalize(text) == text.lower()
    assert "党" not in normalize(text)


def test_fullwidth_to_halfwidth_and_lowercase() -> None:
    assert normalize("２０２３年ＧＤＰ增长５％") == "2023年gdp增长5%"
    assert normalize("ＡＢＣ\u3000ｘｙｚ") == "abc xyz"


def test_chinese_punctuation_and_markers_kept() -> None:
    text = "（一）加强领导，压实责任；①抓好落实：“两个责任”。"
    assert normalize(text) == text


def test_normalize_is_idempotent() -> None:
    for text in ["全面从严治D，ＧＤＰ与D建", "FDI和3D", "Ｄ建"]:
        once = normalize(text)
        assert normalize(once) == once


def test_fullwidth_d_redaction() -> None:
    assert normalize("Ｄ建引领") == "党建引领"


@pytest.mark.parametrize(
    "term",
    [
        "一岗双责",
        "双招双引",
        "放管服",
        "最多跑一次",
        "人居环境",
        "乡村振兴",
        "安全生产",
        "营商环境",
        "政务公开",
        "高质量发展",
        "八八战略",
        "千万工程",
        "河长制",
        "林长制",
        "网格化",
        "基层治理",
        "残疾人",
        "低保",
        "特困",
        "信访",
        "审计整改",
        "统计执法",
        "招商引资",
        "燃气安全",
        "消防安全",
        "党风廉政",
        "主题教育",
        "三会一课",
        "过紧日子",
    ],
)
def test_user_dict_terms_stay_whole(term: str) -> None:
    # In a sentence, not alone: the term must survive context too.
    assert term in tokenize(f"今年我们扎实推进{term}，取得新成效")
    assert term in get_tokenizer().lcut(f"持续抓好{term}", HMM=False)


def test_user_dict_is_private_to_our_tokenizer() -> None:
    import jieba

    assert get_tokenizer() is not jieba.dt
    assert "双招双引" not in jieba.dt.FREQ


def test_search_mode_keeps_parts_of_long_terms() -> None:
    tokens = tokenize("全面推进乡村振兴")
    assert {"乡村", "振兴", "乡村振兴"} <= set(tokens)


def test_punctuation_whitespace_and_stopwords_dropped() -> None:
    tokens = tokenize("县财政局 2024年有哪些工作计划？（一）、「重点」……")
    assert tokens == ["县", "财政", "政局", "财政局", "2024", "年", "计划", "一", "重点"]
    for word in ["的", "和", "哪些", "工作", "情况"]:
        assert word in stopwords()


def test_single_characters_kept() -> None:
    assert "县" in tokenize("县财政局")
    assert {"建", "桥", "修", "路"} <= set(tokenize("建一座桥，修一条路"))


def test_query_and_corpus_meet_after_normalisation() -> None:
    assert tokenize("D建引领基层治理") == tokenize("党建引领基层治理")
    assert "2023" in tokenize("２０２３年")


def test_empty_text() -> None:
    assert tokenize("") == []
    assert tokenize("，。！？ \n") == []
