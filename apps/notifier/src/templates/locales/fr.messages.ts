import type { MessageCatalog } from '../message-catalog';

export const fr: MessageCatalog = {
  locale: 'fr',
  minutes: { one: '1 minute', other: '{{count}} minutes' },
  unknownClient: 'une application inconnue',
  unknownDevice: 'un appareil inconnu',
  greeting: 'Bonjour {{user}},',
  greetingNoName: 'Bonjour,',
  thanks: 'Merci,',
  signature: "L'équipe {{project}}",
  mfaChallenge: {
    subject: 'Code de vérification pour {{project}}',
    preview: 'Utilisez le code {{code}} pour la vérification en deux étapes sur {{project}}. Il expire dans {{minutes}}.',
    heading: 'Terminez la vérification en deux étapes pour utiliser {{project}}',
    description:
      'Saisissez le code suivant pour confirmer la vérification en deux étapes sur **{{project}}**. Ce code expire dans {{minutes}}.',
    requestedUsing: 'Ce code de vérification a été demandé depuis {{client}} sur {{device}}.',
    ignore: "Si vous n'avez pas demandé ce code, vous pouvez ignorer cet e-mail. Ne communiquez jamais ce code à personne.",
  },
  emailVerification: {
    subject: 'Vérifiez votre adresse e-mail pour {{project}}',
    preview: 'Confirmez votre adresse e-mail pour {{project}}.',
    heading: 'Vérifiez votre adresse e-mail',
    description: 'Suivez ce lien pour vérifier votre adresse e-mail sur **{{project}}**. Le lien expire dans {{minutes}}.',
    button: "Vérifier l'adresse e-mail",
    linkFallback: 'Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :',
    ignore: "Si vous n'avez pas demandé cette vérification, vous pouvez ignorer ce message.",
  },
  signInCode: {
    subject: 'Code de connexion pour {{project}}',
    preview: 'Utilisez le code {{code}} pour vous connecter à {{project}}. Il expire dans {{minutes}}.',
    heading: 'Connexion à {{project}}',
    description: 'Saisissez le code suivant pour vous connecter à **{{project}}**. Ce code expire dans {{minutes}}.',
    requestedUsing: 'Ce code de connexion a été demandé depuis {{client}} sur {{device}}.',
    ignore: "Si vous n'avez pas essayé de vous connecter, vous pouvez ignorer cet e-mail. Ne communiquez jamais ce code à personne.",
  },
  magicUrl: {
    subject: 'Connexion à {{project}}',
    preview: 'Votre lien de connexion pour {{project}}.',
    heading: 'Connexion à {{project}}',
    description: 'Suivez ce lien pour vous connecter à **{{project}}**. Le lien ne fonctionne qu’une fois et expire dans {{minutes}}.',
    button: 'Se connecter',
    linkFallback: 'Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :',
    ignore: "Si vous n'avez pas essayé de vous connecter, vous pouvez ignorer ce message. Ne transférez jamais ce lien.",
  },
  passwordRecovery: {
    subject: 'Réinitialisez votre mot de passe {{project}}',
    preview: 'Réinitialisez le mot de passe de votre compte {{project}}.',
    heading: 'Réinitialisez votre mot de passe',
    description:
      'Suivez ce lien pour choisir un nouveau mot de passe pour votre compte **{{project}}**. Le lien ne fonctionne qu’une fois et expire dans {{minutes}}.',
    button: 'Réinitialiser le mot de passe',
    linkFallback: 'Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :',
    ignore: "Si vous n'avez pas demandé de réinitialisation, vous pouvez ignorer ce message : votre mot de passe reste inchangé.",
  },
  sms: {
    signInCode: '{{code}} est votre code de connexion {{project}}. Il expire dans {{minutes}}. Ne le partagez pas.',
    mfaCode: '{{code}} est votre code de vérification {{project}}. Il expire dans {{minutes}}. Ne le partagez pas.',
    phoneVerification: '{{code}} est votre code {{project}} pour vérifier ce numéro de téléphone. Il expire dans {{minutes}}.',
  },
  securityNotice: {
    when: 'Date : {{time}}',
    requestedUsing: 'Appareil : {{client}} sur {{device}}.',
    ifNotYou:
      "Si ce n'était pas vous, changez votre mot de passe immédiatement et vérifiez vos sessions actives et vos réglages de vérification en deux étapes.",
    events: {
      'mfa-enabled': {
        subject: 'La vérification en deux étapes a été activée sur {{project}}',
        summary: 'La vérification en deux étapes a été activée pour votre compte **{{project}}**.',
      },
      'mfa-disabled': {
        subject: 'La vérification en deux étapes a été désactivée sur {{project}}',
        summary:
          'La vérification en deux étapes a été désactivée pour votre compte **{{project}}**. La connexion ne demande plus que votre mot de passe.',
      },
      'authenticator-added': {
        subject: 'Une application d’authentification a été ajoutée à votre compte {{project}}',
        summary: 'Une application d’authentification a été ajoutée comme méthode de connexion à votre compte **{{project}}**.',
      },
      'authenticator-removed': {
        subject: 'Une application d’authentification a été retirée de votre compte {{project}}',
        summary: 'Une application d’authentification a été retirée de votre compte **{{project}}** et ne permet plus de se connecter.',
      },
      'recovery-codes-created': {
        subject: 'Des codes de récupération ont été créés pour votre compte {{project}}',
        summary: 'De nouveaux codes de récupération ont été créés pour votre compte **{{project}}**. Conservez-les en lieu sûr.',
      },
      'recovery-codes-regenerated': {
        subject: 'Vos codes de récupération {{project}} ont été remplacés',
        summary: 'Les codes de récupération de votre compte **{{project}}** ont été remplacés. Les anciens codes ne fonctionnent plus.',
      },
      'recovery-code-used': {
        subject: 'Un code de récupération a été utilisé sur votre compte {{project}}',
        summary:
          'Un code de récupération a servi à terminer la vérification en deux étapes sur votre compte **{{project}}**. Ce code ne peut plus être utilisé.',
      },
      'totp-replay-rejected': {
        subject: 'Un code de vérification déjà utilisé a été refusé sur votre compte {{project}}',
        summary:
          "Quelqu'un a tenté de terminer la vérification en deux étapes sur votre compte **{{project}}** avec un code d'authentification déjà utilisé. Il a été refusé. Une autre personne connaît peut-être votre mot de passe.",
      },
      'mfa-factor-locked': {
        subject: 'La vérification en deux étapes a été bloquée sur votre compte {{project}}',
        summary:
          "Trop de codes de vérification erronés ont été saisis sur votre compte **{{project}}** : cette méthode de vérification est bloquée pour le moment. Si ce n'était pas vous, une autre personne connaît peut-être votre mot de passe : changez-le. Après trop d'autres tentatives, la méthode reste bloquée jusqu'à ce que vous vous vérifiiez avec une autre méthode ou qu'un administrateur la débloque.",
      },
      'password-changed': {
        subject: 'Le mot de passe de votre compte {{project}} a été modifié',
        summary: 'Le mot de passe de votre compte **{{project}}** a été modifié.',
      },
      'email-changed': {
        subject: "L'adresse e-mail de votre compte {{project}} a été modifiée",
        summary: "L'adresse e-mail de votre compte **{{project}}** a été modifiée. Les avis sont désormais envoyés à la nouvelle adresse.",
      },
      'phone-changed': {
        subject: 'Le numéro de téléphone de votre compte {{project}} a été modifié',
        summary: 'Le numéro de téléphone de votre compte **{{project}}** a été modifié.',
      },
      'password-reset': {
        subject: 'Votre mot de passe {{project}} a été réinitialisé',
        summary:
          'Le mot de passe de votre compte **{{project}}** a été réinitialisé avec un lien de récupération envoyé à cette adresse. Vous avez été déconnecté partout.',
      },
    },
  },
};
