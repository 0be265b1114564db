// Moving between the client's pages without a reload. The path is an Observable, so a page that
// redirects while it first renders (a returning student on the join page) is never missed.
import { Observable } from "./observable";

export const currentPath = new Observable(location.pathname);
addEventListener("popstate", () => currentPath.set(location.pathname));

export function navigate(to: string): void {
  history.pushState(null, "", to);
  currentPath.set(location.pathname);
}
