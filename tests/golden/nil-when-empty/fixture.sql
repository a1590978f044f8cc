CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, pays TEXT, commune TEXT, usage TEXT, fin TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-05', 'Belgique', 'Liège', 'Usage', '2031-10-05');
-- empty values with nil_when_empty (default or true): no value -- commune omitted, nomUsage nil;
-- NULL with nil_when_empty: false is still no value -- pays omitted, dateFinValidite nil
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-05', NULL, '', '  ', NULL);
-- empty values with nil_when_empty: false: an empty text, refused
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-05', '', 'Lyon', 'Usage', '');
-- blank-only, trimmed to empty: the same
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-05', '   ', 'Lyon', 'Usage', ' ');
