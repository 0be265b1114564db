// Which kubelets have news: the classroom's side of NodeObject.sync's SyncHint. A real kubelet
// watches its pods (a reflector on pods with fieldSelector spec.nodeName, pkg/kubelet/config/
// apiserver.go) and hears only of changes; here the classroom notes, per node, that a change
// reached it (the scheduler's nodeDirty) and tells the kubelet at its next sync, so that a heartbeat
// costs no LIST. The classroom restarting forgets the notes: every node then lists once.

/**
 * Names remembered. The fleet has at most 50 nodes, but a pod may name any node (spec.nodeName set
 * by hand): past this, every note is dropped and every kubelet lists at its next sync, which is safe.
 */
export const MAX_HINTED_NODES = 1024;

export class PodsDirty {
  /** Nodes with a change not yet told to their kubelet. */
  private readonly dirty = new Set<string>();
  /** Nodes whose kubelet has listed since this object started. */
  private readonly listed = new Set<string>();

  /** A change about one of this node's pods (a bind, a spec or deletion change). */
  mark(node: string): void {
    if (!this.dirty.has(node) && this.dirty.size >= MAX_HINTED_NODES) this.reset();
    this.dirty.add(node);
  }

  /** For the sync about to run: did its pods change? Taking the answer clears the note. */
  take(node: string): { podsChanged: boolean } {
    const changed = this.dirty.delete(node) || !this.listed.has(node);
    if (!this.listed.has(node)) {
      if (this.listed.size >= MAX_HINTED_NODES) this.reset();
      this.listed.add(node);
    }
    return { podsChanged: changed };
  }

  /** The sync did not happen (the RPC failed): what it was told is news again. */
  failed(node: string, hint: { podsChanged: boolean }): void {
    if (hint.podsChanged) this.dirty.add(node);
  }

  /** Forget everything: every kubelet lists at its next sync. */
  private reset(): void {
    this.dirty.clear();
    this.listed.clear();
  }

  get size(): number {
    return this.dirty.size + this.listed.size;
  }

  /** The node is gone. */
  forget(node: string): void {
    this.dirty.delete(node);
    this.listed.delete(node);
  }
}
