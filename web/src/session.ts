// Who this browser is in a classroom. The instructor's secret link carries the token in the URL
// fragment (never sent to the server in a request line); a student's credential is kept in this
// browser, so re-opening the join link resumes as the same student.
import type { Student } from "./api";

export type Me = { role: "instructor"; name: "instructor"; token: string } | { role: "student"; name: string; namespace: string; token: string; kubeconfig: string };

const studentKey = (id: string) => `kubeclass.${id}.student`;
const instructorKey = (id: string) => `kubeclass.${id}.instructor`;

export function fragmentParam(name: string): string | undefined {
  const h = new URLSearchParams(location.hash.slice(1));
  return h.get(name) ?? undefined;
}

export function saveStudent(id: string, s: Student): void {
  localStorage.setItem(studentKey(id), JSON.stringify(s));
}

export function forget(id: string): void {
  localStorage.removeItem(studentKey(id));
  localStorage.removeItem(instructorKey(id));
}

/** The instructor if the link (or this browser) holds the instructor token, else a joined student. */
export function whoAmI(id: string): Me | undefined {
  const fromLink = fragmentParam("instructor");
  if (fromLink) {
    localStorage.setItem(instructorKey(id), fromLink);
    // Out of the address bar, so a projected screen never shows the instructor's secret.
    history.replaceState(null, "", location.pathname);
    return { role: "instructor", name: "instructor", token: fromLink };
  }
  const saved = localStorage.getItem(instructorKey(id));
  if (saved) return { role: "instructor", name: "instructor", token: saved };
  const s = localStorage.getItem(studentKey(id));
  if (!s) return undefined;
  try {
    const st = JSON.parse(s) as Student;
    return { role: "student", name: st.name, namespace: st.namespace, token: st.token, kubeconfig: st.kubeconfig };
  } catch {
    return undefined;
  }
}
