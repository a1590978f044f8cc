-- the same student passed twice (two sessions): keyed on the student alone, both rows give the
-- same idTechnique
CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT);
CREATE TABLE i (etudiant TEXT, resultat INTEGER);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-06-01');
INSERT INTO r VALUES (2, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01');
INSERT INTO r VALUES (3, 'Exemple', 'Basile', 1988, 'M', '2026-10-01');
INSERT INTO i VALUES ('E001', 1);
INSERT INTO i VALUES ('E001', 2);
INSERT INTO i VALUES ('E002', 3);
