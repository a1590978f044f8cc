CREATE TABLE r (cle TEXT, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT, delivre TEXT);
-- replace(hex(zeroblob(N)), '00', 'K') is N letters K
INSERT INTO r VALUES (replace(hex(zeroblob(255)), '00', 'K'), 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01');
INSERT INTO r VALUES (replace(hex(zeroblob(256)), '00', 'L'), 'Exemple', 'Basile', 1988, 'M', '2026-10-01');
