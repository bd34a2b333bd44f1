// Which projects keep the content of their calls. A project with capture off still records
// every call's figures (tokens counted before the content is dropped, cost, latency, status,
// attribution); its input and output are dropped on the way to the store, on every path that
// records calls. The switches are held in memory: changed here at once, and read again when an
// instance sharing the store changes them (see live/cross-instance-settings.ts).
import { LocalChanges } from '../live/cross-instance-settings.js';
import type { ProjectRepository, CallWrite } from '../store/ports.js';

export class ContentCapture {
  private off = new Set<string>();
  private readonly changes = new LocalChanges();
  /** Called after a change made here is stored, to tell the instances sharing the store. */
  onLocalChange: () => void = () => undefined;

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
    this.changes.made();
    if (capture) this.off.delete(projectId);
    else this.off.add(projectId);
    this.onLocalChange();
    return true;
  }

  /** Takes the switches as stored (another instance may have changed them). */
  async refresh(): Promise<void> {
    const projects = await this.changes.read(() => this.projects.list());
    if (projects) this.off = new Set(projects.filter((project) => !project.capture_content).map((project) => project.id));
  }
}
