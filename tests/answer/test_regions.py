"""Provincial regions by any of their names, in questions and in abstention."""

from __future__ import annotations

from assistant.answer.query import named_orgs, parse_query
from assistant.ingest.metadata import canonical_org, level_of

ORGS = ["江苏省", "内蒙古自治区", "北京市", "县财政局", "宁夏回族自治区"]


def test_short_and_full_names_resolve_to_one_org():
    assert canonical_org("江苏") == canonical_org("江苏省") == "江苏省"
    assert canonical_org("内蒙古") == canonical_org("内蒙古自治区") == "内蒙古自治区"
    assert canonical_org("宁夏自治区") == "宁夏回族自治区"
    assert level_of("内蒙古自治区") == level_of("北京市") == level_of("海南省") == "省"
    assert level_of("XX市") == "市" and level_of("县财政局") == "县"


def test_questions_name_regions_by_short_names():
    assert named_orgs("江苏2026年重点工作有哪些方面？", ORGS) == ("江苏省",)
    assert named_orgs("内蒙古去年粮食产量多少", ORGS) == ("内蒙古自治区",)
    assert named_orgs("宁夏回族自治区的民族团结", ORGS) == ("宁夏回族自治区",)
    assert named_orgs("县财政局存在哪些问题", ORGS) == ("县财政局",)


def test_region_kinds_mean_level_province():
    assert "省" in parse_query("哪些省份提到了低空经济？").inferred.level
    assert "省" in parse_query("直辖市2026年的增长目标").inferred.level
    assert "市" not in parse_query("直辖市2026年的增长目标").inferred.level


def test_a_city_inside_a_province_is_a_unit_of_its_own():
    from assistant.answer.units import named_units

    def names(question: str) -> list[str]:
        return [u.text for u in named_units(question)]

    # the province written before is the city's parent, no unit asked of its own
    assert names("江苏昆山市2025年地区生产总值是多少？") == ["昆山市"]
    assert names("宁夏银川市2025年GDP增长了多少？") == ["银川市"]
    assert names("内蒙古自治区的城市更新") == ["内蒙古自治区"]
    assert names("江苏省大中城市落户政策") == ["江苏省"]


def test_kinds_of_region_name_the_librarys_regions_of_that_kind():
    direct = parse_query("直辖市今年PM2.5浓度要控制在多少？", orgs=ORGS)
    assert direct.orgs == ("北京市",) and not direct.many
    west = parse_query("西部省区2026年地区生产总值增长目标分别是多少？", orgs=ORGS)
    assert set(west.orgs) == {"内蒙古自治区", "宁夏回族自治区"} and west.many
    assert parse_query("江苏2026年目标", orgs=ORGS).orgs == ("江苏省",)  # a name wins over a kind


def test_a_reviewed_year_points_to_the_review_part_without_asking_for_it():
    q = parse_query("海南省2025年接待了多少入境游客？", orgs=ORGS, reviewed=frozenset({2025}))
    assert q.year_roles == ("summary",) and q.inferred.role == ()
    assert parse_query("2025年存在哪些问题", reviewed=frozenset({2025})).year_roles == ()
    assert parse_query("江苏省去年城镇新增就业多少人？").inferred.role == ("summary",)


def test_a_definition_question_is_told_apart():
    assert parse_query("什么是灯塔工厂？").defines
    assert not parse_query("哪些省份提到了灯塔工厂？").defines
