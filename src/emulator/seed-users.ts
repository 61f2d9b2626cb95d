// The sample directory the emulator starts with: a school district in contoso.edu with
// staff (UPN = mail) and students (UPN sNNNNN@students.contoso.edu, employeeId = NNNNN).
// The ids are fixed so manifests may key users by object id and stay valid across runs.
import { createHash } from 'node:crypto';
import type { EmulatorGroupSeed, EmulatorUserSeed } from './options.js';

export const DEFAULT_USERS: readonly EmulatorUserSeed[] = Object.freeze([
  staff('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e01', 'ada.lovelace', 'Ada', 'Lovelace', 'Mathematics Teacher', 'E1001'),
  staff('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e02', 'grace.hopper', 'Grace', 'Hopper', 'Computer Science Teacher', 'E1002'),
  staff('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e03', 'alan.turing', 'Alan', 'Turing', 'Principal', 'E1003'),
  staff('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e04', 'katherine.johnson', 'Katherine', 'Johnson', 'Physics Teacher', 'E1004'),
  staff('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e05', 'margaret.hamilton', 'Margaret', 'Hamilton', 'IT Administrator', 'E1005'),
  staff('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e06', 'edsger.dijkstra', 'Edsger', 'Dijkstra', 'Librarian', 'E1006'),
  student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01', 10023, 'Maya', 'Patel'),
  student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a02', 10024, 'Liam', "O'Brien"),
  student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a03', 10025, 'Sofia', 'Garcia'),
  student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a04', 10026, 'Noah', 'Kim'),
  student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a05', 10027, 'Amara', 'Okafor'),
  student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a06', 10028, 'Lucas', 'Müller'),
  student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a07', 10029, 'Aiko', 'Tanaka'),
  student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a08', 10030, 'Mateo', 'Rossi'),
  student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a09', 10031, 'Zara', 'Ahmed'),
]);

/** "Staff" holds the six staff, "Students" the nine students, "Grade 9" the first four students, "Class 9B" (a Microsoft 365 group, class-9b@contoso.edu) the next four. */
export const DEFAULT_GROUPS: readonly EmulatorGroupSeed[] = Object.freeze([
  { id: '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f01', displayName: 'Staff', members: DEFAULT_USERS.filter((u) => u.jobTitle !== 'Student').map((u) => u.userPrincipalName) },
  { id: '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f02', displayName: 'Students', members: DEFAULT_USERS.filter((u) => u.jobTitle === 'Student').map((u) => u.userPrincipalName) },
  { id: '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f03', displayName: 'Grade 9', members: DEFAULT_USERS.filter((u) => u.jobTitle === 'Student').slice(0, 4).map((u) => u.userPrincipalName) },
  // A class team (a Microsoft 365 group), for group photos: named by mail or mailNickname in manifests.
  { id: '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f04', displayName: 'Class 9B', unified: true, mail: 'class-9b@contoso.edu', mailNickname: 'class-9b', members: DEFAULT_USERS.filter((u) => u.jobTitle === 'Student').slice(4, 8).map((u) => u.userPrincipalName) },
]);

function staff(id: string, alias: string, givenName: string, surname: string, jobTitle: string, employeeId: string): EmulatorUserSeed {
  const upn = `${alias}@contoso.edu`;
  return { id, userPrincipalName: upn, mail: upn, employeeId, displayName: `${givenName} ${surname}`, givenName, surname, jobTitle };
}

function student(id: string, studentNumber: number, givenName: string, surname: string): EmulatorUserSeed {
  const upn = `s${studentNumber}@students.contoso.edu`;
  return {
    id,
    userPrincipalName: upn,
    mail: upn,
    employeeId: String(studentNumber),
    displayName: `${givenName} ${surname}`,
    givenName,
    surname,
    jobTitle: 'Student',
  };
}

/** A stable object id for a seed user given without one (same UPN → same id on every run). */
export function objectIdForUpn(userPrincipalName: string): string {
  const hex = createHash('sha256').update(userPrincipalName.toLowerCase()).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
