// Warehouse passwords live only in VS Code SecretStorage (the OS keychain), keyed by workspace
// folder and credentials id, so two projects with a credentials id "prod" do not share a password.
import * as vscode from 'vscode';

export class CredentialSecrets {
  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly folder: vscode.Uri,
  ) {}

  private key(credentialsId: string): string {
    return `retl/${this.folder.toString()}/${credentialsId}`;
  }

  get(credentialsId: string): Thenable<string | undefined> {
    return this.storage.get(this.key(credentialsId));
  }

  set(credentialsId: string, secret: string): Thenable<void> {
    return this.storage.store(this.key(credentialsId), secret);
  }

  delete(credentialsId: string): Thenable<void> {
    return this.storage.delete(this.key(credentialsId));
  }
}
