namespace Offsite.Sources.Tests.Support;

/// <summary>Databases the tests fill.</summary>
public static class Schemas
{
    /// <summary>Many column types, large objects, sequences, views, functions, a partitioned table and two extensions.</summary>
    public const string ManyTypes = """
        CREATE EXTENSION pgcrypto;
        CREATE EXTENSION hstore;
        CREATE SCHEMA app;
        CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
        CREATE SEQUENCE app.ticket_seq START 1000 INCREMENT 7;
        CREATE TABLE app.things (
            id bigserial PRIMARY KEY,
            ticket bigint NOT NULL DEFAULT nextval('app.ticket_seq'),
            name text NOT NULL,
            blob bytea,
            doc json,
            docb jsonb,
            tags text[],
            grid integer[][],
            price numeric(20, 6),
            ratio double precision,
            at timestamptz,
            day date,
            span interval,
            uid uuid,
            addr inet,
            mood app.mood,
            attrs hstore,
            secret bytea,
            "Mixed Case" text
        );
        INSERT INTO app.things (name, blob, doc, docb, tags, grid, price, ratio, at, day, span, uid, addr, mood, attrs, secret, "Mixed Case")
        SELECT 'thing ' || i || E'\twith tab\nand newline \\ backslash',
               decode(md5(i::text) || md5((i * 7)::text), 'hex') || '\x00ff'::bytea,
               json_build_object('i', i, 'nested', json_build_array(i, 'x', null)),
               jsonb_build_object('k', i, 'ü', 'ÿ€', 'arr', jsonb_build_array(true, 1.5)),
               ARRAY['a' || i, NULL, 'quote"d', 'comma,d'],
               ARRAY[[i, i + 1], [i + 2, i + 3]],
               i * 1.000001, i / 3.0, timestamptz '2024-01-01 00:00:00+00' + i * interval '37 minutes',
               date '2000-01-01' + i, i * interval '1 second', gen_random_uuid(), ('10.0.' || (i % 250) || '.1')::inet,
               (ARRAY['sad', 'ok', 'happy'])[1 + i % 3]::app.mood, hstore('n', i::text) || hstore('even', (i % 2 = 0)::text),
               pgp_sym_encrypt('secret ' || i, 'pw'), CASE WHEN i % 5 = 0 THEN NULL ELSE 'M' || i END
        FROM generate_series(1, 3000) i;
        CREATE TABLE app.empty_one (a int);
        CREATE TABLE app.events (id int, at date NOT NULL, what text) PARTITION BY RANGE (at);
        CREATE TABLE app.events_2023 PARTITION OF app.events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
        CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        INSERT INTO app.events SELECT i, date '2023-01-01' + i, 'e' || i FROM generate_series(0, 700) i;
        CREATE TABLE public."Weird ""Quoted"" Table" (k text PRIMARY KEY, v jsonb);
        INSERT INTO public."Weird ""Quoted"" Table" VALUES ('a', '{"x": 1}'), ('b', '[]'), ('c', 'null');
        CREATE VIEW app.happy_things AS SELECT id, name FROM app.things WHERE mood = 'happy';
        CREATE MATERIALIZED VIEW app.mood_counts AS SELECT mood, count(*) AS n FROM app.things GROUP BY mood;
        CREATE FUNCTION app.twice(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$;
        CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := NEW.name || '!'; RETURN NEW; END $$;
        CREATE TRIGGER things_touch BEFORE UPDATE ON app.things FOR EACH ROW EXECUTE FUNCTION app.touch();
        SELECT lo_from_bytea(0, decode(repeat(md5(g::text), 2000), 'hex')) FROM generate_series(1, 5) g;
        SELECT nextval('app.ticket_seq') FROM generate_series(1, 10);
        COMMENT ON TABLE app.things IS 'things, with a comment';
        """;

    /// <summary>Facts about <see cref="ManyTypes"/> objects that are not table rows; equal before and after a restore.</summary>
    public const string ManyTypesFacts = """
        SELECT 'lo', count(*), md5(string_agg(md5(lo_get(oid)), ',' ORDER BY md5(lo_get(oid)))) FROM pg_largeobject_metadata
        UNION ALL SELECT 'seq', last_value, is_called::text FROM app.ticket_seq
        UNION ALL SELECT 'serial', last_value, is_called::text FROM app.things_id_seq
        UNION ALL SELECT 'view', count(*), md5(string_agg(name, ',' ORDER BY id)) FROM app.happy_things
        UNION ALL SELECT 'matview', sum(n), string_agg(mood::text || n, ',' ORDER BY mood) FROM app.mood_counts
        UNION ALL SELECT 'function', app.twice(21), encode(digest('abc', 'sha256'), 'hex')
        UNION ALL SELECT 'decrypt', count(*), md5(string_agg(pgp_sym_decrypt(secret, 'pw'), ',' ORDER BY id)) FROM app.things
        UNION ALL SELECT 'hstore', count(*), sum((attrs -> 'n')::int)::text FROM app.things WHERE attrs ? 'even'
        UNION ALL SELECT 'comment', 1, obj_description('app.things'::regclass, 'pg_class')
        UNION ALL SELECT 'trigger', count(*), string_agg(tgname, ',') FROM pg_trigger WHERE NOT tgisinternal;
        """;
}
