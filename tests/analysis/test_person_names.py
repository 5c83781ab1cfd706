"""Person names on shapes real news have (texts written for these tests)."""

from __future__ import annotations

from bot.analysis.entities import extract_entities
from bot.analysis.nlp import NlpModels


def people(text: str, nlp: NlpModels) -> set[str]:
    return {e.name for e in extract_entities(text, nlp) if e.kind == "PER"}


def test_surname_alone_at_sentence_start_is_the_full_name(nlp: NlpModels) -> None:
    text = (
        "Президент Казахстана Касым-Жомарт Токаев принял делегацию из Пекина. "
        "Токаев подчеркнул, что стороны готовы расширять торговлю."
    )
    assert people(text, nlp) == {"Касым-Жомарт Токаев"}


def test_a_name_cut_by_an_ellipsis_is_not_a_new_person(nlp: NlpModels) -> None:
    text = (
        "Глава государства Касым-Жомарт Токаев провёл встречу с инвесторами. "
        "Как отметил Касым-Жомарт…, работа продолжится."
    )
    assert people(text, nlp) == {"Касым-Жомарт Токаев"}


def test_soft_sign_and_chinese_given_names_keep_their_nominative(nlp: NlpModels) -> None:
    text = (
        "Вице-президент корпорации Хоу Цицзюнь прибыл в Астану. Переговоры с Хоу Цицзюнем "
        "длились два часа. На встрече присутствовал директор таможни Юй Цзяньхуа, а также "
        "советник Лю Сянцяня по торговле. Модератором была Нургуль Жакупова."
    )
    found = people(text, nlp)
    assert {"Хоу Цицзюнь", "Юй Цзяньхуа", "Нургуль Жакупова"} <= found
    assert not {"Хоу Цицзюн", "Юй Цзяньху", "Нургуля Жакупов"} & found


def test_kazakh_names_ending_in_i_or_y_stay_as_written(nlp: NlpModels) -> None:
    text = (
        "Аким города Дархан Сатыбалды открыл сквер. "
        "Пресс-секретарь Берик Уали ответил журналистам."
    )
    assert {"Дархан Сатыбалды", "Берик Уали"} <= people(text, nlp)


def test_female_surnames_stay_female(nlp: NlpModels) -> None:
    text = (
        "Директор департамента Ольга Шишанова рассказала о проекте, её поддержала Жанна Мусабаева."
    )
    found = people(text, nlp)
    assert {"Ольга Шишанова", "Жанна Мусабаева"} <= found


def test_streets_named_after_people_are_not_persons(nlp: NlpModels) -> None:
    text = (
        "Автобусы пойдут в объезд по ул. Аскарова и ул. Садыкова, а на пересечении улиц "
        "Берегового и Ю. Кима движение закрыто до пятницы."
    )
    assert people(text, nlp) == set()


def test_kazakh_case_endings_on_places_are_not_persons(nlp: NlpModels) -> None:
    text = "Форум «Астанада» прошёл в столице. Шымкентте открылся новый рынок, сообщили в акимате."
    assert not {"Астанада", "Шымкентте", "Астанад", "Шымкентт"} & people(text, nlp)


def test_photo_credits_and_datelines_do_not_stick_to_a_name(nlp: NlpModels) -> None:
    text = "Министр иностранных дел КНР Ван И © AP Photo ПЕКИН, 28 октября. Ван И заявил о планах."
    assert "Ван И" in people(text, nlp)
    assert all("©" not in p and "ПЕКИН" not in p for p in people(text, nlp))
