CREATE TABLE r (etudiant TEXT, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT, delivre TEXT);
INSERT INTO r VALUES ('E001', 'Fictif', 'Anaïs', 1992, NULL, '2026-06-01');
INSERT INTO r VALUES ('E001', 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01');
