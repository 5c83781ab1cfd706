"""Theme failure classes seen on real news (issue 10), in texts written for these tests."""

from __future__ import annotations

import pytest

from bot.analysis.nlp import NlpModels
from bot.analysis.pipeline import analyse_article


def themes(title: str, body: str, nlp: NlpModels) -> set[str]:
    return {t.theme for t in analyse_article(title, body, nlp).themes}


@pytest.mark.parametrize(
    "word", ["кибермошенничества", "киберинцидентов", "кибершантажа", "киберполиции"]
)
def test_any_kiber_compound_is_cybersecurity(word: str, nlp: NlpModels) -> None:
    body = (
        f"В Казахстане выросло число {word}: за полгода зарегистрировано более 9 тысяч "
        "обращений. Специалисты советуют не сообщать коды из SMS незнакомым людям."
    )
    assert "cybersecurity" in themes("Новости", body, nlp)


def test_online_banking_fraud_is_cybersecurity(nlp: NlpModels) -> None:
    body = (
        "Мошенники звонят клиентам от имени банка и просят перевести деньги через мобильное "
        "приложение. Интернет-мошенничество стало главной угрозой для вкладчиков Казахстана, "
        "а фишинговые сайты копируют страницы банков."
    )
    assert "cybersecurity" in themes("Как не стать жертвой мошенников", body, nlp)


@pytest.mark.parametrize(
    "fmt",
    [
        "Организации тюркских государств",
        "ОТГ",
        "СВМДА",
        "ЕАЭС",
        "БРИКС",
        "«Центральная Азия – Китай»",
        "С5+1",
    ],
)
def test_multilateral_formats_beyond_the_sco(fmt: str, nlp: NlpModels) -> None:
    body = (
        f"Президент Казахстана принял участие в саммите {fmt}. Лидеры обсудили "
        f"сотрудничество в рамках {fmt} и приняли совместное заявление."
    )
    assert "multilateral" in themes("Саммит в Астане", body, nlp)


@pytest.mark.parametrize(
    "phrase",
    [
        "встретился с Председателем КНР",
        "провёл переговоры с премьером Госсовета КНР",
        "в ходе визита в Пекин обсудил",
        "на полях саммита обсудил с китайским коллегой",
    ],
)
def test_meetings_of_leaders_and_ministers_are_visits(phrase: str, nlp: NlpModels) -> None:
    body = (
        f"Министр иностранных дел Казахстана {phrase} торговлю и поставки зерна. "
        "Товарооборот двух стран в этом году вырос, экспорт пшеницы увеличился."
    )
    assert "visits" in themes("Казахстан и Китай", body, nlp)


def test_law_enforcement_stays_security_beside_cyber(nlp: NlpModels) -> None:
    body = (
        "Сотрудники КНБ Казахстана и полиция Кыргызстана задержали членов преступной группы, "
        "которая занималась кибермошенничеством и отмыванием денег. Совместная спецоперация "
        "прошла в рамках соглашения о правовой помощи, изъяты серверы."
    )
    found = themes("Задержаны кибермошенники", body, nlp)
    assert {"cybersecurity", "security"} <= found


def test_city_roads_and_buses_are_not_transport(nlp: NlpModels) -> None:
    body = (
        "Акимат Алматы закрыл на ремонт участок проспекта Абая, городской транспорт пойдёт в "
        "объезд. Маршруты автобусов № 12 и № 45 изменятся до конца месяца, на остановках "
        "установят новые павильоны. Ремонт дорожной инфраструктуры продлится две недели."
    )
    assert "transport" not in themes("Автобусы пойдут в объезд", body, nlp)


def test_corridors_and_rail_are_transport(nlp: NlpModels) -> None:
    body = (
        "Через пункт пропуска Хоргос на границе Казахстана и Китая прошёл тысячный контейнерный "
        "поезд. Транзит грузов по Среднему коридору в этом году вырос на четверть."
    )
    assert "transport" in themes("Транзит через Казахстан растёт", body, nlp)


def test_a_sports_match_has_no_theme(nlp: NlpModels) -> None:
    body = (
        "Сборная Казахстана по футболу обыграла команду Китая в товарищеском матче со счётом "
        "2:1. Тренер похвалил игроков, а болельщики устроили праздник на стадионе в Астане."
    )
    assert themes("Футбол: Казахстан — Китай", body, nlp) == set()
