"""Numbered schema migrations, tracked by PRAGMA user_version (one transaction each)."""

from __future__ import annotations

# Migration N brings a database from user_version N-1 to N. Never edit a released step:
# add a new one. Each is a script run inside BEGIN ... COMMIT by Store._migrate.
MIGRATIONS: tuple[str, ...] = (
    # 1: articles and their precomputed analysis.
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,           -- file name: the identity across edits
        content_hash TEXT NOT NULL UNIQUE,  -- sha256 of the file bytes
        title TEXT NOT NULL,
        source TEXT,
        url TEXT,
        published TEXT,                     -- ISO date; NULL when the page gives none
        lang TEXT NOT NULL,
        body TEXT NOT NULL,
        added_at TEXT NOT NULL,             -- UTC ISO timestamps
        updated_at TEXT NOT NULL,
        matched_at TEXT                     -- set once the article was matched to subscriptions
    );
    -- "Latest articles": undated ones sort last (NULL < any text, so DESC puts them after).
    CREATE INDEX articles_recent ON articles(published DESC, id DESC);
    CREATE INDEX articles_unmatched ON articles(id) WHERE matched_at IS NULL;

    CREATE TABLE sentences (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start INTEGER NOT NULL,
        stop INTEGER NOT NULL,
        text TEXT NOT NULL,
        lemmas TEXT NOT NULL,
        UNIQUE (article_id, idx)
    );
    -- FTS5 over lemmatised sentences, so "инвестициям" finds "инвестиции". External content:
    -- the text lives once in `sentences`; the triggers keep the index in step with it.
    CREATE VIRTUAL TABLE sentences_fts USING fts5(
        lemmas, content='sentences', content_rowid='id', tokenize='unicode61'
    );
    CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
        INSERT INTO sentences_fts(rowid, lemmas) VALUES (new.id, new.lemmas);
    END;
    CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN
        INSERT INTO sentences_fts(sentences_fts, rowid, lemmas)
        VALUES ('delete', old.id, old.lemmas);
    END;

    CREATE TABLE summary_sentences (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,          -- order in the article
        start INTEGER NOT NULL,
        stop INTEGER NOT NULL,
        text TEXT NOT NULL,
        score REAL NOT NULL,
        lemmas TEXT NOT NULL,               -- space-joined content lemmas
        PRIMARY KEY (article_id, position)
    );

    CREATE TABLE article_themes (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        theme TEXT NOT NULL,
        score REAL NOT NULL,
        snippet_start INTEGER NOT NULL,
        snippet_stop INTEGER NOT NULL,
        snippet TEXT NOT NULL,
        matched TEXT NOT NULL,              -- JSON [[start, stop], ...] into the body
        PRIMARY KEY (article_id, theme)
    );
    CREATE INDEX article_themes_by_theme ON article_themes(theme, score DESC);

    CREATE TABLE figures (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        value REAL,
        unit TEXT NOT NULL,
        qualifier TEXT,
        phrase_start INTEGER NOT NULL,
        phrase_stop INTEGER NOT NULL,
        phrase TEXT NOT NULL,
        sentence_start INTEGER NOT NULL,
        sentence_stop INTEGER NOT NULL,
        sentence TEXT NOT NULL,
        year INTEGER
    );
    CREATE INDEX figures_by_article ON figures(article_id);

    CREATE TABLE entities (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        aliases TEXT NOT NULL,              -- JSON list of surface forms
        PRIMARY KEY (article_id, kind, name)
    );
    CREATE INDEX entities_by_name ON entities(kind, name);
    """,
    # 2: chats, their subscriptions and the durable delivery outbox (issue 5).
    """
    CREATE TABLE chats (
        id INTEGER PRIMARY KEY,             -- Telegram chat id (negative for groups)
        type TEXT NOT NULL,                 -- private | group | supergroup | channel
        title TEXT,
        paused_at TEXT,                     -- NULL: deliveries active; else when they stopped
        paused_reason TEXT,                 -- removed | blocked | chat not found | ...
        created_at TEXT NOT NULL
    );

    CREATE TABLE subscriptions (
        id INTEGER PRIMARY KEY,
        -- ON UPDATE CASCADE: a group upgraded to a supergroup keeps its rows under the new id.
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        theme TEXT NOT NULL DEFAULT '',     -- theme slug; '' = every article (NULL breaks UNIQUE)
        thread_id INTEGER,                  -- forum topic where /subscribe was sent
        digest_time TEXT NOT NULL,          -- 'HH:MM' in BOT_TIMEZONE
        next_digest_at TEXT NOT NULL,       -- UTC instant of the next digest
        after_article_id INTEGER NOT NULL,  -- alerts only for articles newer than the subscription
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (chat_id, theme)
    );
    CREATE INDEX subscriptions_digest ON subscriptions(next_digest_at);

    -- Every delivery is a row before it is sent (state 'pending') and is marked 'sent' once
    -- Telegram accepted it, so a restart resumes exactly where the last process stopped.
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        dedup_key TEXT NOT NULL UNIQUE,     -- alert:chat:thread:article:part, digest:sub:date:part
        kind TEXT NOT NULL,                 -- alert | digest
        chat_id INTEGER NOT NULL,
        thread_id INTEGER,
        subscription_id INTEGER REFERENCES subscriptions(id) ON DELETE SET NULL,
        article_id INTEGER,
        text TEXT NOT NULL,                 -- rendered Telegram HTML, at most 4096 characters
        state TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | failed | skipped | cancelled
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT                    -- when the state became final
    );
    -- Partial indexes stay small: only pending rows are scanned by the sender.
    CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';
    CREATE INDEX outbox_pending_chat ON outbox(chat_id, id) WHERE state = 'pending';
    CREATE INDEX outbox_by_chat ON outbox(chat_id, state);
    """,
    # 3: /sources groups articles by source; the covering index spares a scan of the articles.
    """
    CREATE INDEX articles_by_source ON articles(source, published);
    """,
    # 4: which version of the analysis produced an article's rows; older ones are redone.
    """
    ALTER TABLE articles ADD COLUMN analysis_version INTEGER NOT NULL DEFAULT 0;
    """,
    # 5: a counter of article changes, for the read cache. PRAGMA data_version moves on any
    # commit by another connection, outbox writes of the sender included; this only on articles.
    """
    CREATE TABLE article_generation (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        value INTEGER NOT NULL
    );
    INSERT INTO article_generation (id, value) VALUES (1, 0);
    CREATE TRIGGER articles_generation_ai AFTER INSERT ON articles BEGIN
        UPDATE article_generation SET value = value + 1;
    END;
    -- An upsert's DO UPDATE fires UPDATE triggers too; matched_at changes are not content.
    CREATE TRIGGER articles_generation_au
    AFTER UPDATE OF content_hash, title, source, url, published, lang, body, analysis_version
    ON articles BEGIN
        UPDATE article_generation SET value = value + 1;
    END;
    """,
    # issue 11: live sources: per-source poll state, items seen in feeds, article provenance.
    """
    CREATE TABLE sources (
        id TEXT PRIMARY KEY,                -- the [[source]] id of the sources file
        url TEXT NOT NULL,                  -- the address polled; a 301/308 rewrites it
        file_url TEXT NOT NULL,             -- the address in the file: a new one there wins
        etag TEXT,                          -- conditional GET validators of the last 200
        last_modified TEXT,
        next_check_at TEXT,                 -- UTC; NULL: due now
        error_count INTEGER NOT NULL DEFAULT 0,  -- failures in a row
        last_error TEXT,
        failing_since TEXT,                 -- first failure of the current run of failures
        last_ok_at TEXT,
        checked_at TEXT,
        disabled TEXT                       -- why it stopped (410 Gone); NULL: polled
    );

    CREATE TABLE source_items (
        source_id TEXT NOT NULL,
        link TEXT NOT NULL,                 -- url_key of the item's link
        fingerprint TEXT NOT NULL,          -- of the feed entry: a change means look again
        article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
        etag TEXT,                          -- of the article page
        last_modified TEXT,
        errors INTEGER NOT NULL DEFAULT 0,  -- failed page fetches of this fingerprint
        seen_at TEXT NOT NULL,
        PRIMARY KEY (source_id, link)
    );
    CREATE INDEX source_items_by_link ON source_items(link) WHERE article_id IS NOT NULL;

    CREATE TABLE article_origins (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        source_id TEXT NOT NULL,
        original_url TEXT NOT NULL,         -- the link as the feed gave it
        canonical_url TEXT NOT NULL,        -- the page's own address (shown in citations)
        fetched_at TEXT NOT NULL
    );
    CREATE INDEX article_origins_by_source ON article_origins(source_id);
    """,
    # issue 10: relevance of every article (foreign-affairs news of Kazakhstan / Central Asia)
    # and whether China is a substantive part of it. Rows stored before it count as relevant
    # until the re-analysis that ANALYSIS_VERSION 4 triggers fills the real values in.
    """
    ALTER TABLE articles ADD COLUMN relevance REAL NOT NULL DEFAULT 1.0;
    ALTER TABLE articles ADD COLUMN relevant INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE articles ADD COLUMN china INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE articles ADD COLUMN relevance_reasons TEXT NOT NULL DEFAULT '';
    """,
    # issue 9: a digest's window starts where the last one written ended (a digest time changed
    # on the same day covers only what came since); a delivery's unit groups the parts of one
    # message (a digest, a roundup), written all or none.
    """
    ALTER TABLE subscriptions ADD COLUMN digest_from TEXT;  -- UTC end of the last digest window
    ALTER TABLE outbox ADD COLUMN unit TEXT;                -- digest:sub:window end, ...
    CREATE INDEX outbox_by_unit ON outbox(unit) WHERE unit IS NOT NULL;
    """,
    # issue 12: stories. Which story each article belongs to (with its fingerprint), the
    # stories (dates as day ordinals, the summed fingerprint of their articles for average
    # linkage, the article whose headline titles the story), the inverted index of the
    # heaviest features by day (candidates within the window, not a scan), and document
    # frequencies of features for IDF (term '' counts the articles).
    """
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        first_day INTEGER,                  -- date.toordinal() of the first article; NULL undated
        last_day INTEGER,
        size INTEGER NOT NULL,
        sources INTEGER NOT NULL,           -- distinct sources among its articles
        title_article_id INTEGER,           -- the most central article: its headline is the title
        centroid TEXT NOT NULL              -- JSON {feature: summed weight}
    );
    CREATE INDEX stories_recent ON stories(last_day DESC);
    CREATE TABLE story_articles (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        story_id INTEGER NOT NULL REFERENCES stories(id),
        day INTEGER,
        source TEXT,
        vector TEXT NOT NULL                -- JSON {feature: weight}, unit length
    );
    CREATE INDEX story_articles_by_story ON story_articles(story_id, source);
    -- WITHOUT ROWID: the primary key is the index; a lookup is one range per term.
    CREATE TABLE story_terms (
        term TEXT NOT NULL,
        day INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES story_articles(article_id) ON DELETE CASCADE,
        PRIMARY KEY (term, day, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX story_terms_by_article ON story_terms(article_id);
    CREATE TABLE story_df (
        term TEXT PRIMARY KEY,
        n INTEGER NOT NULL
    ) WITHOUT ROWID;
    -- Cached reads follow the article generation; story changes count as article changes.
    CREATE TRIGGER story_articles_generation_ai AFTER INSERT ON story_articles BEGIN
        UPDATE article_generation SET value = value + 1;
    END;
    CREATE TRIGGER story_articles_generation_au AFTER UPDATE ON story_articles BEGIN
        UPDATE article_generation SET value = value + 1;
    END;
    -- Follow-up alerts: which chats were alerted about the other articles of a story.
    CREATE INDEX outbox_by_article ON outbox(article_id) WHERE kind = 'alert';
    """,
    # search (branch misc): an article-level full-text index, so /search finds an article
    # whose words stand in different sentences («торговля» in one, «Китай» in another).
    # Contentless (content=''): the lemmas stay once, in `sentences`. Such a table forgets
    # nothing by itself: Store._replace_analysis feeds the FTS5 'delete' command the same
    # lemmas (ARTICLE_LEMMAS) before the sentences go, and the trigger does it for a deleted
    # article (BEFORE DELETE: the cascade has not removed its sentences yet).
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(lemmas, content='', tokenize='unicode61');
    INSERT INTO articles_fts(rowid, lemmas)
        SELECT article_id, group_concat(lemmas, ' ') FROM sentences GROUP BY article_id;
    CREATE TRIGGER articles_fts_bd BEFORE DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, lemmas)
            SELECT 'delete', old.id, lemmas FROM (
                SELECT group_concat(lemmas, ' ') AS lemmas FROM sentences
                WHERE article_id = old.id
            ) WHERE lemmas IS NOT NULL;
    END;
    """,
    # issue 12: «меньше шума», per subscription: a new article of a story the chat was already
    # alerted about is skipped instead of sent as «ещё один источник». Off for every existing
    # subscription, as it was before.
    """
    ALTER TABLE subscriptions ADD COLUMN quiet INTEGER NOT NULL DEFAULT 0;
    """,
    # issue 12 (speed): a version per story, so that what /summary computes for a story (its
    # latest articles, key sentences, main figure) is kept until that story changes, not
    # until any article does: the triggers bump it when an article joins, leaves or is
    # refreshed, and when one of its articles is edited or analysed again. The inverted index
    # carries the story id (an article never moves to another story), so candidates are
    # counted from the index alone instead of one story_articles lookup per hit.
    """
    ALTER TABLE stories ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    CREATE TRIGGER story_articles_version_ai AFTER INSERT ON story_articles BEGIN
        UPDATE stories SET version = version + 1 WHERE id = NEW.story_id;
    END;
    CREATE TRIGGER story_articles_version_au AFTER UPDATE ON story_articles BEGIN
        UPDATE stories SET version = version + 1 WHERE id IN (OLD.story_id, NEW.story_id);
    END;
    CREATE TRIGGER story_articles_version_ad AFTER DELETE ON story_articles BEGIN
        UPDATE stories SET version = version + 1 WHERE id = OLD.story_id;
    END;
    -- The columns of ArticleHead, and analysis_version (key sentences and figures are
    -- replaced together with it, by upsert_article and replace_analysis).
    CREATE TRIGGER articles_story_version_au
    AFTER UPDATE OF key, title, source, url, published, lang, body, analysis_version,
        relevant, china
    ON articles BEGIN
        UPDATE stories SET version = version + 1
        WHERE id = (SELECT story_id FROM story_articles WHERE article_id = NEW.id);
    END;
    CREATE TABLE story_terms_new (
        term TEXT NOT NULL,
        day INTEGER NOT NULL,
        story_id INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES story_articles(article_id) ON DELETE CASCADE,
        PRIMARY KEY (term, day, story_id, article_id)
    ) WITHOUT ROWID;
    INSERT INTO story_terms_new (term, day, story_id, article_id)
        SELECT t.term, t.day, sa.story_id, t.article_id
        FROM story_terms t JOIN story_articles sa ON sa.article_id = t.article_id;
    DROP TABLE story_terms;
    ALTER TABLE story_terms_new RENAME TO story_terms;
    CREATE INDEX story_terms_by_article ON story_terms(article_id);
    """,
)
