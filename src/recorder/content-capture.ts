// Which projects keep the content of their calls. A project with capture off still records
// every call's figures (tokens counted before the content is dropped, cost, latency, status,
// attribution); its input and output are dropped on the way to the store, on every path that
// records calls. The switches are held in memory: changed here at once, and read again from
// the store on a timer, so instances sharing a database follow a change within that interval.
import type { ProjectRepository, CallWrite } from '../store/ports.js';

export class ContentCapture {
  private readonly off = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  /** Counts changes made here, so that a refresh read before one does not undo it. */
  private changes = 0;

  private constructor(private readonly projects: ProjectRepository) {}

  static async load(projects: ProjectRepository): Promise<ContentCapture> {
    const capture = new ContentCapture(projects);
    await capture.refresh();
    return capture;
  }

  captures(projectId: string): boolean {
    return !this.off.has(projectId);
  }

  /** Drops the content of a write whose project does not keep it. */
  apply(write: CallWrite): void {
    if (!this.off.has(write.call.project_id)) return;
    write.call.input = null;
    write.call.output = null;
    write.inputJson = null;
    write.outputJson = null;
    delete write.searchWords;
  }

  async set(projectId: string, capture: boolean): Promise<boolean> {
    const project = await this.projects.setCaptureContent(projectId, capture);
    if (!project) return false;
    this.changes++;
    if (capture) this.off.delete(projectId);
    else this.off.add(projectId);
    return true;
  }

  async refresh(): Promise<void> {
    const changes = this.changes;
    const projects = await this.projects.list();
    if (changes !== this.changes) return;
    this.off.clear();
    for (const project of projects) if (!project.capture_content) this.off.add(project.id);
  }

  start(intervalMs: number, onError: (error: unknown) => void): void {
    this.timer = setInterval(() => void this.refresh().catch(onError), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
