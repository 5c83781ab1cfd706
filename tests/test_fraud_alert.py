"""Issue 9 item 23: an online banking fraud story reaches a chat subscribed to кибербезопасность.

End to end: the file is ingested and analysed for real, matched to subscriptions, and the
alert goes through the real aiogram Bot to the fake Bot API. The texts are written for this test.
"""

from __future__ import annotations

from pathlib import Path

from tests.rigs import Rig

FRAUD = """---
title: В Казахстане выросло число случаев кибермошенничества с банковскими картами
source: Test News
url: https://example.org/fraud-2025
published: '2025-09-02'
lang: ru
---

За полгода банки второго уровня зафиксировали более 40 тысяч мошеннических операций с \
картами клиентов, сообщило Агентство по регулированию финансового рынка.
Чаще всего кибермошенники звонят от имени службы безопасности банка и убеждают человека \
перевести деньги на «безопасный счёт» через мобильное приложение.
Банки обязаны блокировать подозрительные переводы, а с нового года клиентам дадут право \
установить суточный лимит на переводы в интернете.
"""

ROBBERY = """---
title: В Караганде задержали грабителя банка
source: Test News
url: https://example.org/robbery-2025
published: '2025-09-02'
lang: ru
---

Полиция Караганды задержала мужчину, который днём ограбил отделение банка на проспекте \
Бухар-Жырау. Мошенник пригрозил кассиру ножом и забрал около двух миллионов тенге.
Похищенные деньги вернули в банк, возбуждено уголовное дело.
"""


async def test_online_banking_fraud_reaches_the_cyber_chat(
    rig: Rig,
    articles_dir: Path,
) -> None:
    await rig.subscribe(-100301, "кибербезопасность")
    await rig.subscribe(101)  # every relevant article
    (articles_dir / "fraud.md").write_text(FRAUD, encoding="utf-8")
    (articles_dir / "robbery.md").write_text(ROBBERY, encoding="utf-8")
    report = await rig.app.dp["ingestor"].ingest([articles_dir])
    assert len(report.added) == 2
    await rig.deliver()
    [cyber] = rig.delivered(-100301)
    assert "кибермошенничества" in cyber and "тема «кибербезопасность»" in cyber
    # The bank robbery is crime news: no theme, no alert to anyone.
    alerts = rig.delivered(101)
    assert len(alerts) == 1 and "кибермошенничества" in alerts[0]
    assert all("грабителя" not in text for text in rig.telegram.texts(-100301) + alerts)
