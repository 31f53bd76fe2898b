import { In, type DataSource } from "typeorm";
import { isCleanName, lt, ConflictError, InvalidInputError, NotFoundError, type HostContract, type HostUser } from "../../host/contract";
import { OPERATOR_GROUP } from "../api";
import { Expertise } from "../models/Expertise";
import { ExpertiseOperator } from "../models/ExpertiseOperator";
import { operatorSettingsSaved } from "./OperatorProfiles";
import { isUniqueViolation } from "./uniqueViolation";

export interface ExpertiseSummary {
  id: number;
  name: string;
  operatorIds: number[];
}

export const EXPERTISE_NAME_MAX = 64;

/** Live Chat Expertise and the operators who have it (the same relation profiles edit). */
export class ExpertiseService {
  constructor(private readonly host: HostContract) {}

  private get db(): DataSource {
    return this.host.db;
  }

  async list(): Promise<ExpertiseSummary[]> {
    const [all, links] = await Promise.all([
      this.db.getRepository(Expertise).find({ order: { name: "ASC" } }),
      this.db.getRepository(ExpertiseOperator).find({ order: { userId: "ASC" } }),
    ]);
    return all.map((e) => ({ id: e.id, name: e.name, operatorIds: links.filter((l) => l.expertiseId === e.id).map((l) => l.userId) }));
  }

  async get(id: number): Promise<ExpertiseSummary> {
    const found = (await this.list()).find((e) => e.id === id);
    if (!found) throw new NotFoundError(lt("This expertise does not exist (it may have been deleted)."));
    return found;
  }

  /** Creates (id null) or updates an expertise with its operators; the name is trimmed and unique regardless of case. */
  async save(id: number | null, input: { name: string; operatorIds: number[] }): Promise<number> {
    const name = input.name.trim();
    if (!name) throw new InvalidInputError(lt("Name is required."));
    if (!isCleanName(name)) throw new InvalidInputError(lt("Name cannot contain control or text-direction characters, nor be only invisible characters."));
    if (name.length > EXPERTISE_NAME_MAX) throw new InvalidInputError(lt("Name is at most {max} characters."), { max: EXPERTISE_NAME_MAX });
    const nameKey = name.toLocaleLowerCase("en");
    const operatorIds = [...new Set(input.operatorIds)];
    await this.checkOperators(operatorIds);
    const duplicate = (clash: Expertise) => new InvalidInputError(lt('An expertise named "{name}" already exists.'), { name: clash.name });
    try {
      const touched = new Set(operatorIds);
      const savedId = await this.db.transaction(async (m) => {
        const repo = m.getRepository(Expertise);
        if (id !== null && !(await repo.findOneBy({ id }))) throw new NotFoundError(lt("This expertise does not exist (it may have been deleted)."));
        const clash = await repo.findOneBy({ nameKey });
        if (clash && clash.id !== id) throw duplicate(clash);
        const saved = await repo.save({ ...(id !== null ? { id } : {}), name, nameKey });
        for (const row of await m.getRepository(ExpertiseOperator).findBy({ expertiseId: saved.id })) touched.add(row.userId);
        await m.getRepository(ExpertiseOperator).delete({ expertiseId: saved.id });
        if (operatorIds.length) {
          await m.getRepository(ExpertiseOperator).insert(operatorIds.map((userId) => ({ expertiseId: saved.id, userId })));
        }
        return saved.id;
      });
      await this.settingsSaved(touched);
      return savedId;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Someone saved the same name, or the same operators, at the same moment: nothing of this save was kept.
      const clash = await this.db.getRepository(Expertise).findOneBy({ nameKey });
      if (clash && clash.id !== id) throw duplicate(clash);
      throw new ConflictError(lt("This expertise was changed by someone else at the same time. Nothing was saved: try again."));
    }
  }

  /** Deletes the expertise; profiles lose it with it (the relation rows cascade). */
  async delete(id: number): Promise<void> {
    const holders = await this.db.transaction(async (m) => {
      const rows = await m.getRepository(ExpertiseOperator).findBy({ expertiseId: id });
      await m.getRepository(ExpertiseOperator).delete({ expertiseId: id });
      const result = await m.getRepository(Expertise).delete({ id });
      if (!result.affected) throw new NotFoundError(lt("This expertise does not exist (it may have been deleted)."));
      return rows.map((r) => r.userId);
    });
    await this.settingsSaved(holders);
  }

  /** Assignment reads these operators' expertise again. */
  private async settingsSaved(userIds: Iterable<number>): Promise<void> {
    for (const userId of userIds) await operatorSettingsSaved.emit(this.host.hooks, { userId });
  }

  /** Operators who can be given an expertise: users in the operator group. */
  async operators(): Promise<HostUser[]> {
    return this.host.users.inGroup(OPERATOR_GROUP);
  }

  private async checkOperators(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const allowed = new Set((await this.operators()).map((u) => u.id));
    const wrong = ids.filter((id) => !allowed.has(id));
    if (wrong.length) throw new InvalidInputError(lt("Operators: user {ids} is not a live chat operator."), { ids: wrong.join(", ") });
  }

  async namesByIds(ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.getRepository(Expertise).findBy({ id: In(ids) });
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
