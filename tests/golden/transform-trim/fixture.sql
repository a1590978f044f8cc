CREATE TABLE r (id TEXT, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT, delivre TEXT,
                option TEXT, verbatim TEXT);
-- blanks at the ends of every value, tab and no-break space (char(160)) included
INSERT INTO r VALUES (' 1 ', '  Fictif ', char(9) || 'Anaïs' || char(160), ' 1992 ', ' F ',
                      ' 2026-10-05 ', '  Option  A  ', '  Tel quel  ');
-- blank-only values: empty once trimmed (libelleOption omitted), kept without trim
INSERT INTO r VALUES ('2', 'Exemple', 'Basile', 1988, 'M', '2026-10-05', '   ', '   ');
