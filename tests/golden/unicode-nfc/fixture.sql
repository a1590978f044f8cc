CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenoms TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, insee TEXT, mention TEXT, modalite TEXT);
-- char(768) is U+0300 COMBINING GRAVE ACCENT, char(769) U+0301 COMBINING ACUTE ACCENT,
-- char(770) U+0302 COMBINING CIRCUMFLEX ACCENT, char(807) U+0327 COMBINING CEDILLA.
-- 'Éléonore-Bérénice de Saint-Éloi-Prévôt-Château-Thierry-Œuvée' decomposed: 60 letters, 69
-- code points. Valid, written composed.
INSERT INTO r VALUES (1, 'E' || char(769) || 'le' || char(769) || 'onore-Be' || char(769) ||
                         're' || char(769) || 'nice de Saint-E' || char(769) || 'loi-Pre' ||
                         char(769) || 'vo' || char(770) || 't-Cha' || char(770) ||
                         'teau-Thierry-Œuve' || char(769) || 'e',
                      'Zoé', 1990, 'F', '2026-10-01', '75056', 'bien', NULL);
-- The same with one more letter, decomposed: 61 letters (70 code points), refused as 61.
INSERT INTO r VALUES (2, 'E' || char(769) || 'le' || char(769) || 'onore-Be' || char(769) ||
                         're' || char(769) || 'nice de Saint-E' || char(769) || 'loi-Pre' ||
                         char(769) || 'vo' || char(770) || 't-Cha' || char(770) ||
                         'teau-Thierry-Œuve' || char(769) || 'es',
                      'Zoé', 1990, 'F', '2026-10-01', '75056', 'bien', NULL);
-- Already composed: unchanged (another person: with Zoé born in 1990 she would be the same
-- holder as row 1, which is now the same text).
INSERT INTO r VALUES (3, 'Éléonore-Bérénice de Saint-Éloi-Prévôt-Château-Thierry-Œuvée',
                      'Inès', 1991, 'F', '2026-10-01', '75056', 'bien', NULL);
-- First names decomposed, split into words ('François José'); a decomposed 'très bien' matches
-- the map key 'très bien' exactly; 'PRE' || U+0301 || 'SENTIEL' matches 'présentiel' with
-- ignore_case.
INSERT INTO r VALUES (4, 'Garc' || char(807) || 'on',
                      'Franc' || char(807) || 'ois Jose' || char(769),
                      1985, 'M', '2026-10-01', '69123', 'tre' || char(768) || 's bien',
                      'PRE' || char(769) || 'SENTIEL');
-- Hangul as conjoining jamo (U+1100 U+1175 U+11B7, U+1112 U+1161 U+11AB, U+1109 U+1161 U+11BC)
-- composes into the syllables '김', '한' and '상'.
INSERT INTO r VALUES (5, char(4352, 4469, 4535),
                      char(4370, 4449, 4523) || ' ' || char(4361, 4449, 4540),
                      1995, 'F', '2026-10-01', '99127', 'bien', NULL);
