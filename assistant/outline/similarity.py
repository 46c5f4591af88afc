"""Text similarity for choosing examples and aligning headings: a character-bigram Jaccard.

A `Similarity` is any callable(text, texts) -> one score in [0, 1] per text, so an embedder
can stand in for the default; the default needs no model and is deterministic.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable

from assistant.index.tokenize import normalize

Similarity = Callable[[str, list[str]], list[float]]

# Only Chinese characters and letters make bigrams; punctuation, digits (years, amounts) and
# spaces split runs, so "2023年" does not make every report look alike.
RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffa-z]+")
# Bigrams every work report repeats ("工作", "推进" …): they say nothing about the topic, so
# two headings sharing only these are not alike.
GENERIC_BIGRAMS = frozenset(
    "工作 推进 持续 加强 进一步 一步 提升 全面 深入 扎实 不断 着力 坚持 聚焦 强化 有序 稳步 "
    "成效 情况 开展 完善 切实 积极 全力 努力 做好 抓好 狠抓 取得 明显 显著 有力 有效 提高 "
    "加快 加大 力度 优化 深化 发展 高质 质量 水平 能力 体系 机制 不够 有待 仍需 需要 存在 问题 "
    "主要 重点 年工 作总 总结 计划 作计 帮我 提纲 结和 结及 和年 及年 年度 度工 进一 "
    "提质 质增 增效 有为 更加 进一 一步 各项 相关 方面 全年 今年 上半 半年".split()
)


def bigrams(text: str) -> frozenset[str]:
    """The distinct character bigrams of a text, without the generic ones."""
    grams = {run[i : i + 2] for run in RUN.findall(normalize(text)) for i in range(len(run) - 1)}
    return frozenset(grams - GENERIC_BIGRAMS)


def bigram_jaccard(text: str, others: list[str]) -> list[float]:
    """Weighted Jaccard overlap of `text`'s bigrams with each of `others`' (0 when empty).

    A bigram weighs log(1 + n / (1 + df)) over the n texts compared, so what most of them
    share ("提质", "增效") counts less than what only a few share ("养老", "救助"). Scores
    within one batch are symmetric: sim(a, batch)[b] == sim(b, batch)[a].
    """
    mine, sets = bigrams(text), [bigrams(o) for o in others]
    df = Counter(g for s in sets for g in s)
    n = len(sets)
    weight = {g: math.log(1 + n / (1 + df[g])) for g in mine.union(*sets)}
    scores = []
    for theirs in sets:
        union = sum(weight[g] for g in mine | theirs)
        scores.append(sum(weight[g] for g in mine & theirs) / union if union else 0.0)
    return scores
