// Moving between the client's pages without a reload.
export function navigate(to: string): void {
  history.pushState(null, "", to);
  dispatchEvent(new Event("kubeclass:navigate"));
}
