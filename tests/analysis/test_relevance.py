"""Relevance: foreign-affairs news of Kazakhstan / Central Asia, and China's part in it."""

from __future__ import annotations

import pytest

from bot.analysis.models import Analysis
from bot.analysis.nlp import NlpModels
from bot.analysis.pipeline import analyse_article

# Off-topic stories that name China or use relations words in passing (own words).
OFF_TOPIC = {
    "match": (
        "Сборная Казахстана сыграла вничью с командой Китая",
        "Товарищеский матч сборных Казахстана и Китая прошёл в Шэньяне и завершился со счётом "
        "1:1. Гол хозяев забил нападающий на 30-й минуте, наши футболисты отыгрались после "
        "перерыва. Главный тренер сборной остался доволен игрой команды. Следующий матч "
        "казахстанцы проведут в Астане в рамках отборочного турнира чемпионата мира.",
    ),
    "city_bus": (
        "В Караганде обновят автобусный парк",
        "Акимат Караганды закупил 40 новых автобусов китайского производства для городских "
        "маршрутов. Машины выйдут на линии после ремонта дорог на проспекте Бухар-Жырау. "
        "Аким города пообещал, что пробки на перекрёстках станут короче, а тротуары вдоль "
        "остановок обновят до конца сезона. Проезд останется по прежней цене.",
    ),
    "weather": (
        "Синоптики предупредили о метели на севере Казахстана",
        "Казгидромет объявил штормовое предупреждение: в Костанайской и Акмолинской областях "
        "ожидаются метель, гололёд и порывы ветра до 25 метров в секунду. Холодный воздух "
        "придёт со стороны Сибири, на юге страны осадков не будет, а у границы с Китаем "
        "ночью похолодает до минус 30 градусов. Водителям советуют отложить поездки.",
    ),
    "court": (
        "Суд вынес приговор бывшему чиновнику",
        "Суд Алматы приговорил бывшего руководителя районного отдела к восьми годам лишения "
        "свободы за взятку. По данным следствия, он получил деньги от предпринимателя за "
        "разрешение на строительство. Уголовное дело расследовала антикоррупционная служба, "
        "осуждённый намерен обжаловать приговор в апелляционной инстанции.",
    ),
    "domestic_law": (
        "Мажилис одобрил поправки о пособиях",
        "Депутаты мажилиса одобрили в первом чтении законопроект об изменении порядка выплаты "
        "пособий многодетным семьям. Министр труда пояснил, что пособие будут начислять "
        "автоматически, без справок. Часть депутатов предложила повысить пенсии сельским "
        "учителям, законопроект отправлен на доработку.",
    ),
}

RELEVANT_CHINA = (
    "Казахстан и Китай подписали соглашение о транзите грузов",
    "В Пекине министры транспорта Казахстана и Китая подписали межправительственное соглашение "
    "о развитии транзитных перевозок. Стороны договорились увеличить число контейнерных "
    "поездов через Хоргос и Достык. Китайская сторона заявила о готовности инвестировать в "
    "новый сухой порт. Товарооборот двух стран в прошлом году вырос на 12%.",
)
RELEVANT_NOT_CHINA = (
    "Токаев провёл переговоры с президентом Узбекистана",
    "Президент Казахстана Касым-Жомарт Токаев провёл переговоры с президентом Узбекистана "
    "Шавкатом Мирзиёевым в Ташкенте. Главы государств обсудили водное сотрудничество, "
    "торговлю и транспортные коридоры, подписан меморандум о совместном управлении "
    "трансграничными реками. Товарооборот двух стран планируется довести до 10 млрд долларов.",
)


@pytest.mark.parametrize("name", sorted(OFF_TOPIC))
def test_off_topic_news_is_not_relevant(name: str, nlp: NlpModels) -> None:
    title, body = OFF_TOPIC[name]
    relevance = analyse_article(title, body, nlp).relevance
    assert not relevance.relevant, relevance
    assert relevance.score < 0.5


def test_china_affairs_are_relevant_and_china(nlp: NlpModels) -> None:
    relevance = analyse_article(*RELEVANT_CHINA, nlp).relevance
    assert relevance.relevant and relevance.china
    assert {"foreign", "relations", "home", "china"} <= set(relevance.reasons)


def test_central_asian_affairs_without_china_are_relevant_not_china(nlp: NlpModels) -> None:
    relevance = analyse_article(*RELEVANT_NOT_CHINA, nlp).relevance
    assert relevance.relevant and not relevance.china


def test_every_seed_is_relevant_and_about_china(analyses: dict[str, Analysis]) -> None:
    for key, analysis in analyses.items():
        assert analysis.relevance.relevant and analysis.relevance.china, key


KAZAKH = (
    "Қазақстан мен Қытай ынтымақтастық туралы келісімге қол қойды",
    "Бейжіңде Қазақстан Президенті Қасым-Жомарт Тоқаев пен ҚХР Төрағасы Си Цзиньпин "
    "келіссөздер жүргізді. Тараптар сауда және инвестиция бойынша ынтымақтастықты талқылады.",
)
CHINESE = (
    "中哈两国元首会谈",
    "国家主席习近平在北京同哈萨克斯坦总统托卡耶夫举行会谈。双方同意深化贸易和投资合作。",
)
ENGLISH_SPORT = (
    "Kazakhstan beat China in a football match",
    "Kazakhstan's national football team beat China 1-0 in a friendly match in Dalian.",
)


def test_other_languages_get_their_language_and_relevance(nlp: NlpModels) -> None:
    kazakh = analyse_article(*KAZAKH, nlp)
    chinese = analyse_article(*CHINESE, nlp)
    sport = analyse_article(*ENGLISH_SPORT, nlp)
    assert (kazakh.lang, chinese.lang, sport.lang) == ("kk", "zh", "en")
    assert kazakh.relevance.relevant and kazakh.relevance.china
    assert chinese.relevance.relevant and chinese.relevance.china
    assert not sport.relevance.relevant
