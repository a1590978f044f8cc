CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, option TEXT, note TEXT);
-- option: line breaks, a no-break space (char(160)) and runs of spaces, folded to single spaces;
-- note, read without fold_spaces, keeps its runs of spaces
INSERT INTO r VALUES (1, 'De   La' || char(9) || 'Fictive', 'Anaïs', 1992, 'F', '2026-10-05',
                      ' Option' || char(10) || char(10) || 'Réseaux' || char(160) || '  et   Sécurité ',
                      'Sans   pli');
